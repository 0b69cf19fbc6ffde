package io.beckon.tools.report;

import static io.beckon.tools.report.ReportFixtures.T1;
import static io.beckon.tools.report.ReportFixtures.command;
import static io.beckon.tools.report.ReportFixtures.conversion;
import static io.beckon.tools.report.ReportFixtures.suppression;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;

class ReportComparisonTest {
  /** Before: cart sends to u-1..u-4, caps u-5; u-1 converts. Welcome sends once. */
  private static final ReportModel BEFORE =
      ReportModel.from(
          List.of(
              command("cart", "u-1", "default", T1),
              command("cart", "u-2", "default", T1),
              command("cart", "u-3", "default", T1),
              command("cart", "u-4", "default", T1),
              command("welcome", "u-1", "default", T1)),
          List.of(suppression("cart", "u-5", "frequency_cap", T1)),
          List.of(conversion("cart", "u-1", "default", T1)),
          null);

  /** After: a narrower audience; cart sends to u-1, u-2; u-3, u-4 out; u-1 and u-2 convert. */
  private static final ReportModel AFTER =
      ReportModel.from(
          List.of(
              command("cart", "u-1", "default", T1),
              command("cart", "u-2", "default", T1),
              command("birthday", "u-9", "default", T1)),
          List.of(
              suppression("cart", "u-3", "audience", T1),
              suppression("cart", "u-4", "audience", T1)),
          List.of(
              conversion("cart", "u-1", "default", T1), conversion("cart", "u-2", "default", T1)),
          null);

  @Test
  void differencesPerRule() {
    ReportComparison c = ReportComparison.of(BEFORE, AFTER);
    assertEquals(
        List.of("birthday", "cart", "welcome"),
        c.rules().stream().map(ReportComparison.RuleChange::ruleId).toList());

    ReportComparison.RuleChange cart = c.rule("cart");
    assertEquals(new ReportComparison.Count("Fires", 5, 4), cart.count("Fires"));
    assertEquals(-1, cart.count("Fires").difference());
    assertEquals(-2, cart.count("Sends").difference());
    assertEquals(2, cart.count("Audience").difference());
    assertEquals(-1, cart.count("Frequency cap").difference());
    assertEquals(1, cart.count("Conversions").difference());
    // 1/4 = 25% before, 2/2 = 100% after: +75 points.
    assertEquals(0.75, cart.rateChange(), 1e-12);

    ReportComparison.RuleChange welcome = c.rule("welcome");
    assertNull(welcome.after());
    assertEquals(new ReportComparison.Count("Sends", 1, 0), welcome.count("Sends"));
    assertNull(welcome.rateChange());
    assertEquals(1, c.rule("birthday").count("Sends").difference());
  }

  @Test
  void terminalShowsBeforeAfterAndChange() {
    String out = TerminalComparison.render(ReportComparison.of(BEFORE, AFTER));
    List<String> sends = out.lines().filter(l -> l.contains("Sends")).map(String::strip).toList();
    assertEquals(3, sends.size(), out);
    assertTrue(sends.get(1).matches("Sends\\s+4\\s+2\\s+-2"), sends.get(1));
    assertTrue(out.contains("birthday (only after)"), out);
    assertTrue(out.contains("welcome (only before)"), out);
    assertTrue(
        out.lines()
            .anyMatch(l -> l.matches(".*Conv\\. rate\\s+25\\.0%\\s+100\\.0%\\s+\\+75\\.0 pp")),
        out);
  }

  @Test
  void htmlTableHoldsTheSameFigures() {
    Document doc =
        Jsoup.parse(HtmlComparison.render(ReportComparison.of(BEFORE, AFTER), "v1 <rules>", "v2"));
    assertTrue(doc.selectFirst(".period").text().contains("v1 <rules>"));
    List<String> headings = doc.select("table.comparison thead th").eachText();
    Element cart = null;
    for (Element tr : doc.select("table.comparison tbody tr")) {
      if (tr.selectFirst("th").text().equals("cart")) {
        cart = tr;
      }
    }
    assertTrue(cart != null, "a row for cart");
    // Cells follow the headings after the rule's own heading cell.
    Element audience = cart.select("td").get(headings.indexOf("Audience") - 1);
    assertEquals("0 \u2192 2", audience.selectFirst(".pair").text());
    assertEquals("+2", audience.selectFirst(".change").text());
    Element sends = cart.select("td").get(headings.indexOf("Sends") - 1);
    assertEquals("4 \u2192 2", sends.selectFirst(".pair").text());
    assertEquals("-2", sends.selectFirst(".change").text());
    Element rate = cart.select("td").get(headings.indexOf("Conv. rate") - 1);
    assertEquals("25.0% \u2192 100.0%", rate.selectFirst(".pair").text());
    assertEquals("+75.0 pp", rate.selectFirst(".change").text());
    assertTrue(
        doc.select("table.comparison tbody th").eachText().contains("birthday only after"),
        doc.select("table.comparison tbody th").eachText().toString());
  }
}
