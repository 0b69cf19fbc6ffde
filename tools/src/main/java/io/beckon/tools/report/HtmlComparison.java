package io.beckon.tools.report;

import static io.beckon.tools.report.HtmlPage.escape;

import java.util.List;

/** A {@link ReportComparison} as one self-contained HTML page. */
public final class HtmlComparison {
  private HtmlComparison() {}

  public static String render(ReportComparison comparison, String beforeName, String afterName) {
    StringBuilder body = new StringBuilder("<h1>Beckon: before and after</h1>\n");
    body.append("<p class=\"period\">Before: ")
        .append(escape(beforeName))
        .append(" \u2014 after: ")
        .append(escape(afterName))
        .append("</p>\n");
    body.append("<table class=\"comparison\">\n<thead><tr>");
    for (int i = 0; i < TerminalComparison.HEADINGS.size(); i++) {
      body.append(i < 2 ? "<th>" : "<th class=\"num\">")
          .append(escape(TerminalComparison.HEADINGS.get(i)))
          .append("</th>");
    }
    body.append("</tr></thead>\n<tbody>\n");
    for (ReportComparison.RuleChange change : comparison.rules()) {
      List<List<String>> rows = TerminalComparison.rows(change);
      for (int r = 0; r < rows.size(); r++) {
        List<String> cells = rows.get(r);
        body.append(r == rows.size() - 1 ? "<tr class=\"total\">" : "<tr>");
        for (int i = 0; i < cells.size(); i++) {
          // Every row names its rule, so a row read alone is never ambiguous.
          String text = i == 0 && cells.get(0).isEmpty() ? rows.get(0).get(0) : cells.get(i);
          body.append(HtmlPage.cell(text, i >= 2, null));
        }
        body.append("</tr>\n");
      }
    }
    body.append("</tbody>\n</table>\n");
    body.append(
        "<footer><p class=\"note\">Change = after \u2212 before; a rate's change is in percentage"
            + " points (pp). Counts of a rule absent from one side are 0.</p></footer>\n");
    return HtmlPage.page("Beckon: before and after", body.toString());
  }
}
