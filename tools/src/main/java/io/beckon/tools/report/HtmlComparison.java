package io.beckon.tools.report;

import static io.beckon.tools.report.HtmlPage.escape;

import java.util.List;

/**
 * A {@link ReportComparison} as one self-contained HTML page: a row per rule, and in each figure's
 * cell the value before, after, and the change.
 */
public final class HtmlComparison {
  private HtmlComparison() {}

  /** {@code beforeName} and {@code afterName} say what was compared, e.g. two rule versions. */
  public static String render(ReportComparison comparison, String beforeName, String afterName) {
    StringBuilder body = new StringBuilder("<h1>Beckon: before and after</h1>\n");
    body.append("<p class=\"period\">Before: ")
        .append(escape(beforeName))
        .append(" \u2014 after: ")
        .append(escape(afterName))
        .append("</p>\n");
    if (comparison.rules().isEmpty()) {
      body.append("<p>No rule fired in either run.</p>\n");
      return HtmlPage.page("Beckon: before and after", body.toString());
    }
    List<String> figures =
        comparison.rules().get(0).counts().stream().map(ReportComparison.Count::figure).toList();
    body.append("<table class=\"comparison\">\n<thead><tr><th>Rule</th>");
    for (String figure : figures) {
      body.append("<th class=\"num\">").append(escape(figure)).append("</th>");
    }
    body.append("<th class=\"num\">Conv. rate</th></tr></thead>\n<tbody>\n");
    for (ReportComparison.RuleChange change : comparison.rules()) {
      String presence = ReportComparison.presence(change);
      body.append("<tr><th scope=\"row\">").append(escape(change.ruleId()));
      if (!presence.isEmpty()) {
        body.append(" <span class=\"ci\">").append(escape(presence)).append("</span>");
      }
      body.append("</th>");
      for (ReportComparison.Count c : change.counts()) {
        if (c.figure().equals("Conversions") && !change.measuresConversions()) {
          body.append(HtmlPage.cell(Formats.NONE, true, null));
        } else {
          body.append(
              cell(
                  Formats.count(c.before()),
                  Formats.count(c.after()),
                  Formats.countChange(c.difference()),
                  c.difference() != 0));
        }
      }
      if (change.measuresConversions()) {
        Double points = change.rateChange();
        body.append(
            cell(
                Formats.percent(change.rateBefore()),
                Formats.percent(change.rateAfter()),
                Formats.pointsChange(change.rateBefore(), change.rateAfter()),
                points != null && Math.abs(points) >= 0.0005));
      } else {
        body.append(HtmlPage.cell(Formats.NONE, true, null));
      }
      body.append("</tr>\n");
    }
    body.append("</tbody>\n</table>\n");
    body.append(
        "<footer><p class=\"note\">Each cell: before \u2192 after, and below it the change (after"
            + " \u2212 before); a rate's change is in percentage points (pp). A rule absent from"
            + " one side counts 0 there. Figures are the rule's totals; "
            + Formats.NONE
            + ": the rule defines no conversion.</p></footer>\n");
    return HtmlPage.page("Beckon: before and after", body.toString());
  }

  private static String cell(String before, String after, String change, boolean changed) {
    return "<td class=\"num\"><span class=\"pair\">"
        + escape(before)
        + " \u2192 "
        + escape(after)
        + "</span><span class=\"change"
        + (changed ? " changed" : "")
        + "\">"
        + escape(change)
        + "</span></td>";
  }
}
