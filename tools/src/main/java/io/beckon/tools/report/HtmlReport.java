package io.beckon.tools.report;

import static io.beckon.tools.report.HtmlPage.escape;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The report as one self-contained HTML page for marketers: a summary, the table of the terminal
 * report (grouped under a heading row per rule), a chart of fires by outcome, a chart of conversion
 * rates with their intervals, and the method.
 */
public final class HtmlReport {
  private static final DateTimeFormatter READABLE =
      DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'", java.util.Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  private HtmlReport() {}

  public static String render(ReportModel model) {
    StringBuilder body = new StringBuilder("<h1>Beckon report</h1>\n<p class=\"period\">");
    if (model.firstFire() == null) {
      body.append("No fires in the input.</p>\n");
    } else {
      body.append("Fires from ")
          .append(time(model.firstFire()))
          .append(" to ")
          .append(time(model.lastFire()))
          .append("</p>\n");
    }
    if (!model.rules().isEmpty()) {
      body.append(summary(model));
      body.append("<h2>Per rule and variant</h2>\n").append(table(model));
      body.append("<h2>Fires by outcome</h2>\n")
          .append(SvgCharts.outcomeLegend())
          .append(SvgCharts.outcomes(model));
      String rates = SvgCharts.rates(model);
      body.append("<h2>Conversion rate by variant</h2>\n");
      body.append(
          rates == null
              ? "<p class=\"note\">No conversions in the input.</p>\n"
              : "<p class=\"note\">Bars: conversion rate; whiskers: its 95% interval.</p>\n"
                  + rates);
    }
    body.append("<footer>\n");
    for (String note : TerminalReport.notes(model)) {
      body.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
    }
    body.append("</footer>\n");
    return HtmlPage.page("Beckon report", body.toString());
  }

  private static String time(Instant t) {
    return "<time datetime=\"" + t + "\">" + escape(READABLE.format(t)) + "</time>";
  }

  private static String summary(ReportModel model) {
    long fires = 0;
    long sends = 0;
    long conversions = 0;
    for (RuleReport r : model.rules()) {
      fires += r.total().fires();
      sends += r.total().sends();
      conversions += r.total().conversions();
    }
    return "<p class=\"summary\">"
        + escape(
            Formats.count(model.rules().size())
                + (model.rules().size() == 1 ? " rule" : " rules")
                + " \u00b7 "
                + Formats.count(fires)
                + " fires \u00b7 "
                + Formats.count(sends)
                + " sends \u00b7 "
                + Formats.count(conversions)
                + " conversions")
        + "</p>\n";
  }

  /** The terminal table without its rule column: each rule heads its rows instead. */
  private static String table(ReportModel model) {
    List<String> headings = TerminalReport.headings().subList(1, TerminalReport.headings().size());
    StringBuilder html = new StringBuilder("<table class=\"report\">\n<thead><tr>");
    for (int i = 0; i < headings.size(); i++) {
      html.append(i == 0 ? "<th>" : "<th class=\"num\">")
          .append(escape(headings.get(i)))
          .append("</th>");
    }
    html.append("</tr></thead>\n");
    for (RuleReport rule : model.rules()) {
      html.append("<tbody>\n<tr class=\"rule\"><th colspan=\"")
          .append(headings.size())
          .append("\" scope=\"rowgroup\">")
          .append(escape(rule.ruleId()))
          .append("</th></tr>\n");
      for (Figures g : rule.groups()) {
        row(html, rule, g, g.isHoldout() ? "holdout" : null);
      }
      row(html, rule, rule.total(), "total");
      html.append("</tbody>\n");
    }
    return html.append("</table>\n").toString();
  }

  private static void row(StringBuilder html, RuleReport rule, Figures f, String rowClass) {
    html.append(rowClass == null ? "<tr>" : "<tr class=\"" + rowClass + "\">");
    List<String> cells = TerminalReport.cells(rule, "", f);
    for (int i = 1; i < cells.size() - 1; i++) {
      html.append(HtmlPage.cell(cells.get(i), i >= 2, null));
    }
    html.append(liftCell(rule, f)).append("</tr>\n");
  }

  /** The lift, with its interval in smaller type; green or red when the interval excludes 0. */
  private static String liftCell(RuleReport rule, Figures f) {
    ReportStats.Lift lift = f.lift();
    if (!rule.measuresConversions() || f.isHoldout() || lift == null) {
      return HtmlPage.cell(
          rule.measuresConversions() && !f.isHoldout() ? Formats.NA : Formats.NONE, true, null);
    }
    String tone = lift.low() > 0 ? " up" : lift.high() < 0 ? " down" : "";
    return "<td class=\"num"
        + tone
        + "\">"
        + escape(Formats.signedPercent(lift.estimate()))
        + " <span class=\"ci\">("
        + escape(Formats.signedPercent(lift.low()))
        + " to "
        + escape(Formats.signedPercent(lift.high()))
        + ")</span></td>";
  }
}
