package io.beckon.tools.report;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Two reports of the same events side by side, per rule: what each figure was before, after, and
 * the difference (after - before). For {@code rules preview} (one rule set against another) and the
 * demo's summary.
 *
 * @param rules every rule of either report, by id
 */
public record ReportComparison(List<RuleChange> rules) {
  public ReportComparison {
    rules = List.copyOf(rules);
  }

  public static ReportComparison of(ReportModel before, ReportModel after) {
    TreeSet<String> ids = new TreeSet<>();
    before.rules().forEach(r -> ids.add(r.ruleId()));
    after.rules().forEach(r -> ids.add(r.ruleId()));
    List<RuleChange> changes = new ArrayList<>();
    for (String id : ids) {
      changes.add(new RuleChange(id, before.rule(id), after.rule(id)));
    }
    return new ReportComparison(changes);
  }

  /** The change of that rule, or null. */
  public RuleChange rule(String id) {
    return rules.stream().filter(r -> r.ruleId().equals(id)).findFirst().orElse(null);
  }

  /**
   * One rule in both reports; its figures are the rule's totals.
   *
   * @param before null when the rule is not in the first report
   * @param after null when the rule is not in the second report
   */
  public record RuleChange(String ruleId, RuleReport before, RuleReport after) {
    /** Fires, sends, suppressions by reason and conversions; an absent side counts 0. */
    public List<Count> counts() {
      List<Count> counts = new ArrayList<>();
      counts.add(count("Fires", Figures::fires));
      counts.add(count("Sends", Figures::sends));
      for (Reason r : Reason.values()) {
        counts.add(count(r.label, f -> f.suppressed(r)));
      }
      counts.add(count("Conversions", Figures::conversions));
      return counts;
    }

    /** The count of that figure (as named in {@link #counts()}), or null. */
    public Count count(String figure) {
      return counts().stream().filter(c -> c.figure().equals(figure)).findFirst().orElse(null);
    }

    /** Whether either side measures this rule's conversions (see {@link RuleReport}). */
    public boolean measuresConversions() {
      return (before != null && before.measuresConversions())
          || (after != null && after.measuresConversions());
    }

    public Double rateBefore() {
      return before == null ? null : before.total().rate();
    }

    public Double rateAfter() {
      return after == null ? null : after.total().rate();
    }

    /**
     * The change of the conversion rate (a share: 0.02 is 2 points), or null when either is n/a.
     */
    public Double rateChange() {
      Double b = rateBefore();
      Double a = rateAfter();
      return a == null || b == null ? null : a - b;
    }

    private Count count(String figure, java.util.function.ToLongFunction<Figures> of) {
      return new Count(
          figure,
          before == null ? 0 : of.applyAsLong(before.total()),
          after == null ? 0 : of.applyAsLong(after.total()));
    }
  }

  /** One count in both reports. */
  public record Count(String figure, long before, long after) {
    public long difference() {
      return after - before;
    }
  }

  /** How a rule's presence is described: only in one of the reports, or in both (""). */
  static String presence(RuleChange change) {
    return change.before() == null ? "only after" : change.after() == null ? "only before" : "";
  }
}
