package io.beckon.tools.report;

import io.beckon.engine.rules.Experiment;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Tallies records per rule and group, then computes rates and lifts into a {@link ReportModel}. */
final class ModelBuilder {
  private final RuleSet rules;
  private final Map<String, RuleTally> byRule = new TreeMap<>();
  private Instant first;
  private Instant last;

  ModelBuilder(RuleSet rulesOrNull) {
    this.rules = rulesOrNull;
    if (rules != null) {
      rules.rules().forEach(r -> rule(r.id()));
      rules.journeys().forEach(j -> rule(j.id()));
    }
  }

  /**
   * Whether the id is a journey of the rules given: its commands and suppressions carry it as
   * {@code rule_id}, with variant {@code default} (no experiment and no conversion in contract v2).
   */
  private boolean journey(String id) {
    return rules != null && rules.journey(id) != null;
  }

  void command(JsonLines.Line line) {
    seen(line.time("fire_time"));
    rule(line.text("rule_id")).group(line.text("variant")).sends++;
  }

  void suppression(JsonLines.Line line) {
    seen(line.time("fire_time"));
    String ruleId = line.text("rule_id");
    Reason reason = Reason.of(line.text("reason"));
    String group =
        reason == Reason.HOLDOUT ? Experiment.HOLDOUT : groupOf(ruleId, line.text("user_id"));
    RuleTally tally = rule(ruleId);
    if (group == null) {
      tally.unassigned.merge(reason, 1L, Long::sum);
    } else {
      tally.group(group).suppressions.merge(reason, 1L, Long::sum);
    }
  }

  void conversion(JsonLines.Line line) {
    seen(line.time("fire_time"));
    rule(line.text("rule_id")).group(line.text("variant")).conversions++;
  }

  ReportModel build() {
    List<RuleReport> reports = new ArrayList<>();
    byRule.forEach((id, tally) -> reports.add(tally.report(id)));
    return new ReportModel(reports, first, last);
  }

  /**
   * The group of a suppression that carries none: the user's bucket under the rule's experiment
   * (contract section 5), {@code default} without one, null when the rule is not known.
   */
  private String groupOf(String ruleId, String userId) {
    if (journey(ruleId)) {
      return Experiment.DEFAULT_VARIANT;
    }
    Rule rule = rules == null ? null : rules.get(ruleId);
    if (rule == null) {
      return null;
    }
    Experiment experiment = rule.experiment();
    return experiment == null
        ? Experiment.DEFAULT_VARIANT
        : experiment.group(Experiment.bucket(ruleId, userId));
  }

  private void seen(Instant fireTime) {
    if (first == null || fireTime.isBefore(first)) {
      first = fireTime;
    }
    if (last == null || fireTime.isAfter(last)) {
      last = fireTime;
    }
  }

  private RuleTally rule(String id) {
    return byRule.computeIfAbsent(
        id, k -> new RuleTally(configuredGroups(k), measuresConversions(k)));
  }

  /** Whether conversions of the rule are measured: unless the rule is known to define none. */
  private boolean measuresConversions(String ruleId) {
    if (journey(ruleId)) {
      return false;
    }
    Rule rule = rules == null ? null : rules.get(ruleId);
    return rule == null || rule.conversion() != null;
  }

  /** The groups a known rule has, in the order its experiment lists them, the holdout last. */
  private List<String> configuredGroups(String ruleId) {
    if (journey(ruleId)) {
      return List.of(Experiment.DEFAULT_VARIANT);
    }
    Rule rule = rules == null ? null : rules.get(ruleId);
    if (rule == null) {
      return List.of();
    }
    Experiment experiment = rule.experiment();
    if (experiment == null) {
      return List.of(Experiment.DEFAULT_VARIANT);
    }
    List<String> groups = new ArrayList<>();
    if (experiment.variants().isEmpty()) {
      groups.add(Experiment.DEFAULT_VARIANT);
    }
    experiment.variants().forEach(v -> groups.add(v.id()));
    if (experiment.holdoutBuckets() > 0) {
      groups.add(Experiment.HOLDOUT);
    }
    return groups;
  }

  private static final class GroupTally {
    long sends;
    long conversions;
    final Map<Reason, Long> suppressions = new EnumMap<>(Reason.class);

    long holdoutFires() {
      return suppressions.getOrDefault(Reason.HOLDOUT, 0L);
    }
  }

  private static final class RuleTally {
    final Map<String, GroupTally> groups = new LinkedHashMap<>();
    final Map<Reason, Long> unassigned = new EnumMap<>(Reason.class);

    final List<String> configured;
    final boolean measuresConversions;

    RuleTally(List<String> configured, boolean measuresConversions) {
      this.configured = configured;
      this.measuresConversions = measuresConversions;
      configured.forEach(g -> groups.put(g, new GroupTally()));
    }

    GroupTally group(String id) {
      return groups.computeIfAbsent(id, k -> new GroupTally());
    }

    RuleReport report(String ruleId) {
      GroupTally holdout = groups.get(Experiment.HOLDOUT);
      // The rule's own groups in its order, then those met only in the data (a variant since
      // removed, or all of them without rules) by name; the holdout, every lift's reference, last.
      List<String> order = new ArrayList<>(configured);
      groups.keySet().stream().filter(g -> !configured.contains(g)).sorted().forEach(order::add);
      if (order.remove(Experiment.HOLDOUT)) {
        order.add(Experiment.HOLDOUT);
      }
      List<Figures> rows = new ArrayList<>();
      GroupTally all = new GroupTally();
      GroupTally treated = new GroupTally();
      for (String id : order) {
        GroupTally g = groups.get(id);
        rows.add(figures(id, g, holdout));
        add(all, g);
        if (!id.equals(Experiment.HOLDOUT)) {
          add(treated, g);
        }
      }
      unassigned.forEach((reason, n) -> all.suppressions.merge(reason, n, Long::sum));
      Figures total = figures(Figures.TOTAL, all, null);
      total = withLift(total, lift(treated, holdout));
      long unassignedCount = unassigned.values().stream().mapToLong(Long::longValue).sum();
      return new RuleReport(ruleId, rows, total, unassignedCount, measuresConversions);
    }

    private static void add(GroupTally into, GroupTally g) {
      into.sends += g.sends;
      into.conversions += g.conversions;
      g.suppressions.forEach((reason, n) -> into.suppressions.merge(reason, n, Long::sum));
    }

    private static Figures figures(String id, GroupTally g, GroupTally holdout) {
      long suppressed = g.suppressions.values().stream().mapToLong(Long::longValue).sum();
      boolean isHoldout = id.equals(Experiment.HOLDOUT);
      return new Figures(
          id,
          g.sends + suppressed,
          g.sends,
          g.suppressions,
          g.conversions,
          g.sends + g.holdoutFires(),
          isHoldout || holdout == null ? null : lift(g, holdout));
    }

    private static ReportStats.Lift lift(GroupTally treated, GroupTally holdout) {
      return holdout == null
          ? null
          : ReportStats.lift(
              treated.conversions, treated.sends, holdout.conversions, holdout.holdoutFires());
    }

    private static Figures withLift(Figures f, ReportStats.Lift lift) {
      return new Figures(
          f.group(), f.fires(), f.sends(), f.suppressions(), f.conversions(), f.exposed(), lift);
    }
  }
}
