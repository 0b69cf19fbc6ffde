package io.beckon.tools.report;

import java.util.List;

/**
 * One rule's part of a report.
 *
 * @param groups one row per variant ({@code default} without an experiment), the holdout last
 * @param total the sum of the rows and of the unassigned suppressions; its rate is conversions /
 *     (sends + holdout fires), and its lift pools every variant's sends against the holdout
 * @param unassigned suppressions counted in the total only (their variant was not known: no rules
 *     were given, or this rule is not among them)
 * @param measuresConversions false when the rule is known to define no {@code conversion}: its
 *     conversions are not measured rather than zero
 */
public record RuleReport(
    String ruleId,
    List<Figures> groups,
    Figures total,
    long unassigned,
    boolean measuresConversions) {
  public RuleReport {
    groups = List.copyOf(groups);
  }

  /** The row of that group, or null. */
  public Figures group(String id) {
    return groups.stream().filter(g -> g.group().equals(id)).findFirst().orElse(null);
  }
}
