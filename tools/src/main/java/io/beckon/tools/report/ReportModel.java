package io.beckon.tools.report;

import io.beckon.engine.rules.RuleSet;
import java.time.Instant;
import java.util.List;

/**
 * What each rule did: its rows per variant and in total, and the period covered. Built from the
 * JSON lines of {@code beckon replay} (or of the output topics); renderers only read it.
 *
 * @param rules by rule id
 * @param firstFire the earliest {@code fire_time} seen, or null when there was no record
 * @param lastFire the latest {@code fire_time} seen, or null
 */
public record ReportModel(List<RuleReport> rules, Instant firstFire, Instant lastFire) {
  public ReportModel {
    rules = List.copyOf(rules);
  }

  /**
   * The report of send commands, suppressions and conversions in their JSON views (contract
   * sections 4 and 5), one object per line; blank lines are skipped. With {@code rulesOrNull}, a
   * suppression other than {@code holdout} is given the variant of its user's bucket, and every
   * rule of the set appears even when it never fired; without, such suppressions count in their
   * rule's total only.
   *
   * @throws IllegalArgumentException naming the input and line of a record that cannot be read
   */
  public static ReportModel from(
      List<String> commandLines,
      List<String> suppressionLines,
      List<String> conversionLines,
      RuleSet rulesOrNull) {
    ModelBuilder builder = new ModelBuilder(rulesOrNull);
    JsonLines.each("commands", commandLines, builder::command);
    JsonLines.each("suppressions", suppressionLines, builder::suppression);
    JsonLines.each("conversions", conversionLines, builder::conversion);
    return builder.build();
  }

  /** The rule of that id, or null. */
  public RuleReport rule(String id) {
    return rules.stream().filter(r -> r.ruleId().equals(id)).findFirst().orElse(null);
  }
}
