package io.beckon.tools.report;

import java.util.ArrayList;
import java.util.List;

/** A {@link ReportComparison} as an aligned text table: per rule, each figure before and after. */
public final class TerminalComparison {
  private TerminalComparison() {}

  /** Column headings, shared with the HTML rendering. */
  static final List<String> HEADINGS = List.of("Rule", "Figure", "Before", "After", "Change");

  /**
   * The rows of one rule: its counts, then its conversion rate; no conversion figures for a rule
   * that defines no conversion on either side.
   */
  static List<List<String>> rows(ReportComparison.RuleChange change) {
    List<List<String>> rows = new ArrayList<>();
    String presence = ReportComparison.presence(change);
    String label = change.ruleId() + (presence.isEmpty() ? "" : " (" + presence + ")");
    for (ReportComparison.Count c : change.counts()) {
      if (c.figure().equals("Conversions") && !change.measuresConversions()) {
        continue;
      }
      rows.add(
          List.of(
              label,
              c.figure(),
              Formats.count(c.before()),
              Formats.count(c.after()),
              Formats.countChange(c.difference())));
      label = "";
    }
    if (!change.measuresConversions()) {
      return rows;
    }
    rows.add(
        List.of(
            label,
            "Conv. rate",
            Formats.percent(change.rateBefore()),
            Formats.percent(change.rateAfter()),
            Formats.pointsChange(change.rateBefore(), change.rateAfter())));
    return rows;
  }

  public static String render(ReportComparison comparison) {
    if (comparison.rules().isEmpty()) {
      return "No rule fired in either run.\n";
    }
    TextTable table = new TextTable(HEADINGS, 2);
    comparison.rules().forEach(change -> rows(change).forEach(table::row));
    return table.render();
  }
}
