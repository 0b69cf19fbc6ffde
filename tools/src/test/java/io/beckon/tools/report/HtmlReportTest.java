package io.beckon.tools.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

class HtmlReportTest {
  private static final String HOSTILE_RULE = "<script>alert('x')</script>";
  private static final String HOSTILE_VARIANT = "b&<img src=\"http://evil.example/x.png\">";

  private static Document page(ReportModel model) {
    return Jsoup.parse(HtmlReport.render(model));
  }

  /**
   * The cells of the table row of that rule and group, by heading. Each rule is a {@code tbody}
   * headed by a row naming the rule.
   */
  private static java.util.Map<String, String> row(Document doc, String rule, String group) {
    Element table = doc.selectFirst("table.report");
    assertNotNull(table);
    List<String> headings = table.select("thead th").eachText();
    for (Element tbody : table.select("tbody")) {
      if (!tbody.selectFirst("tr.rule th").text().equals(rule)) {
        continue;
      }
      for (Element tr : tbody.select("tr:not(.rule)")) {
        List<String> cells = tr.select("td").eachText();
        assertEquals(headings.size(), cells.size(), tr.outerHtml());
        if (cells.get(0).equals(group)) {
          java.util.Map<String, String> byHeading = new java.util.LinkedHashMap<>();
          for (int i = 0; i < headings.size(); i++) {
            byHeading.put(headings.get(i), cells.get(i));
          }
          return byHeading;
        }
      }
    }
    throw new AssertionError("no row for " + rule + " / " + group);
  }

  @Test
  void tableCellsHoldTheFigures() {
    Document doc = page(ReportFixtures.model(ReportFixtures.rules()));

    var a = row(doc, "promo", "a");
    assertEquals("4", a.get("Fires"));
    assertEquals("3", a.get("Sends"));
    assertEquals("1", a.get("Audience"));
    assertEquals("0", a.get("Frequency cap"));
    assertEquals("2", a.get("Conversions"));
    assertEquals("66.7%", a.get("Conv. rate")); // 2 / 3
    // (2/3) / (1/3) - 1 = +100%; the interval follows in brackets.
    assertTrue(a.get("Lift vs holdout (95% CI)").startsWith("+100.0% ("), a.toString());

    var holdout = row(doc, "promo", "holdout");
    assertEquals("4", holdout.get("Fires"));
    assertEquals("3", holdout.get("Holdout"));
    assertEquals("33.3%", holdout.get("Conv. rate")); // 1 / 3
    assertEquals("\u2014", holdout.get("Lift vs holdout (95% CI)"));

    var total = row(doc, "promo", "total");
    assertEquals("12", total.get("Fires"));
    assertEquals("5", total.get("Sends"));
    assertEquals("2", total.get("Audience"));
    assertEquals("1", total.get("Unreachable"));
    assertEquals("4", total.get("Conversions"));
    assertEquals("50.0%", total.get("Conv. rate")); // 4 / (5 + 3)
    assertTrue(total.get("Lift vs holdout (95% CI)").startsWith("+80.0% ("));

    var plain = row(doc, "plain", "default");
    assertEquals("1", plain.get("Reentry"));
    assertEquals("n/a", plain.get("Lift vs holdout (95% CI)"));
    assertEquals("0.0%", row(doc, "ghost", "default").get("Conv. rate"), "0 conversions of 1 send");
    var idle = row(doc, "idle", "default");
    assertEquals("0", idle.get("Fires"));
    assertEquals("\u2014", idle.get("Conversions"), "idle defines no conversion");
    assertEquals("\u2014", idle.get("Conv. rate"));
  }

  @Test
  void pageHasTitlePeriodChartsAndMethod() {
    Document doc = page(ReportFixtures.model(ReportFixtures.rules()));
    assertEquals("Beckon report", doc.title());
    assertEquals(
        List.of(ReportFixtures.FIRST, ReportFixtures.LAST),
        doc.select(".period time").eachAttr("datetime"));
    // 2026-01-04T08:15:00Z, for a reader.
    assertEquals("4 Jan 2026, 08:15 UTC", doc.selectFirst(".period time").text());
    assertTrue(doc.select("svg").size() >= 2, "fires by outcome and conversion rates");
    // The outcome chart has one bar segment per non-zero outcome; promo has five.
    assertFalse(doc.select("svg rect title:containsOwn(promo: sends 5)").isEmpty());
    String footer = doc.selectFirst("footer").text();
    assertTrue(footer.contains("Katz"), footer);
    assertTrue(footer.contains("Wilson"), footer);
  }

  @Test
  void nothingIsLoadedFromElsewhere() {
    String html = HtmlReport.render(ReportFixtures.model(ReportFixtures.rules()));
    Document doc = Jsoup.parse(html);
    List<String> external = new ArrayList<>();
    for (Element e : doc.getAllElements()) {
      for (String attr : List.of("src", "href", "xlink:href", "srcset", "action", "data")) {
        String v = e.attr(attr).strip().toLowerCase(Locale.ROOT);
        if (v.startsWith("http") || v.startsWith("//")) {
          external.add(e.tagName() + " " + attr + "=" + v);
        }
      }
    }
    assertEquals(List.of(), external);
    assertTrue(doc.select("script, link, iframe, object, embed, img").isEmpty());
    String css = doc.select("style").html();
    assertFalse(css.contains("url(") || css.contains("@import"), css);
  }

  @Test
  void textFromDataIsEscaped() {
    ReportModel model =
        ReportModel.from(
            List.of(
                ReportFixtures.command(HOSTILE_RULE, "u-1", HOSTILE_VARIANT, ReportFixtures.T1)),
            List.of(ReportFixtures.suppression(HOSTILE_RULE, "u-2", "holdout", ReportFixtures.T1)),
            List.of(
                ReportFixtures.conversion(HOSTILE_RULE, "u-1", HOSTILE_VARIANT, ReportFixtures.T1)),
            null);
    Document doc = page(model);
    assertTrue(doc.select("script, img").isEmpty(), "data became markup");
    // The text reads back exactly as it was written, in the table and in the charts.
    var row = row(doc, HOSTILE_RULE, HOSTILE_VARIANT);
    assertEquals("1", row.get("Sends"));
    assertFalse(doc.select("svg text:containsOwn(" + HOSTILE_RULE + ")").isEmpty());
    assertTrue(
        doc.select("svg title").eachText().stream().anyMatch(t -> t.contains(HOSTILE_VARIANT)));
  }

  @Test
  void anEmptyReportStillRenders() {
    Document doc = page(ReportModel.from(List.of(), List.of(), List.of(), null));
    assertEquals("Beckon report", doc.title());
    assertEquals("No fires in the input.", doc.selectFirst(".period").text());
  }
}
