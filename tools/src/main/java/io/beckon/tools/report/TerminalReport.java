package io.beckon.tools.report;

import java.util.ArrayList;
import java.util.List;

/** The report as an aligned text table: per rule, one row per variant and a total row. */
public final class TerminalReport {
  private TerminalReport() {}

  /** The column headings, shared with the HTML table. */
  static List<String> headings() {
    List<String> h = new ArrayList<>(List.of("Rule", "Group", "Fires", "Sends"));
    for (Reason r : Reason.values()) {
      h.add(r.label);
    }
    h.addAll(List.of("Conversions", "Conv. rate", "Lift vs holdout (95% CI)"));
    return h;
  }

  /**
   * The cells of one row, shared with the HTML table; {@code label} is the rule id or blank. A rule
   * that defines no conversion has none of the conversion figures.
   */
  static List<String> cells(RuleReport rule, String label, Figures f) {
    List<String> c =
        new ArrayList<>(
            List.of(label, f.group(), Formats.count(f.fires()), Formats.count(f.sends())));
    for (Reason r : Reason.values()) {
      c.add(Formats.count(f.suppressed(r)));
    }
    if (rule.measuresConversions()) {
      c.add(Formats.count(f.conversions()));
      c.add(Formats.percent(f.rate()));
      c.add(Formats.liftCell(f));
    } else {
      c.addAll(List.of(Formats.NONE, Formats.NONE, Formats.NONE));
    }
    return c;
  }

  public static String render(ReportModel model) {
    StringBuilder out = new StringBuilder();
    out.append("Beckon report: fires from ")
        .append(Formats.period(model.firstFire(), model.lastFire()))
        .append("\n\n");
    if (model.rules().isEmpty()) {
      return out.append("No fires, no suppressions, no conversions.\n").toString();
    }
    TextTable table = new TextTable(headings(), 2);
    for (RuleReport rule : model.rules()) {
      String label = rule.ruleId();
      for (Figures g : rule.groups()) {
        table.row(cells(rule, label, g));
        label = "";
      }
      table.row(cells(rule, label, rule.total()));
    }
    out.append(table.render()).append('\n');
    for (String note : notes(model)) {
      out.append(note).append('\n');
    }
    return out.toString();
  }

  /** The footnotes: unassigned suppressions, what the total row holds, and the method. */
  static List<String> notes(ReportModel model) {
    List<String> notes = new ArrayList<>();
    for (RuleReport rule : model.rules()) {
      if (rule.unassigned() > 0) {
        boolean one = rule.unassigned() == 1;
        notes.add(
            "* "
                + rule.ruleId()
                + ": "
                + Formats.count(rule.unassigned())
                + (one ? " suppression (not holdout) has" : " suppressions (not holdout) have")
                + " no known variant and count in the total only;"
                + " give --rules DIR to assign them by the user's bucket.");
      }
    }
    if (model.rules().stream().anyMatch(r -> !r.measuresConversions())) {
      notes.add(
          Formats.NONE + " in Conversions: the rule defines no conversion, so none are measured.");
    }
    notes.add(
        "Total row: every fire of the rule; its rate is conversions / (sends + holdout fires) and"
            + " its lift pools all variants' sends against the holdout.");
    notes.add(ReportStats.METHOD);
    return notes;
  }
}
