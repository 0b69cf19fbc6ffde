package io.beckon.jobs.functions;

import io.beckon.engine.core.UserEngine;
import io.beckon.engine.journey.Journey;
import io.beckon.engine.rules.Policies;
import io.beckon.engine.rules.PoliciesParser;
import io.beckon.engine.rules.Problem;
import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleParser;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.rules.RulesValidator;
import io.beckon.schema.PoliciesRecord;
import io.beckon.schema.RuleRecord;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules, journeys and policies a job instance applies, built from their records. Checks each
 * incoming record as the marketers' validator would, so a record that bypassed the validator cannot
 * replace a good version with a broken one. Rules and journeys share one id namespace and one
 * topic.
 */
final class RulesInForce {
  private final Map<String, Rule> rules = new HashMap<>();
  private final Map<String, Journey> journeys = new HashMap<>();
  private final Map<String, RuleRecord> records = new HashMap<>();
  private Policies policies = Policies.NONE;

  /** Invalid date values seen by every engine this instance builds (a metric). */
  private final java.util.concurrent.atomic.LongAdder invalidDateValues =
      new java.util.concurrent.atomic.LongAdder();

  private UserEngine engine;

  RulesInForce() {
    rebuild();
  }

  /**
   * The outcome of offering a record: the change to apply, nothing to do, or a rejection. {@code
   * before} and {@code after} are rules or journeys' entry triggers ({@link Journey#entry()});
   * {@code journeyBefore} and {@code journeyAfter} the journeys, when the id is a journey's.
   */
  record Change(
      Rule before,
      Rule after,
      Journey journeyBefore,
      Journey journeyAfter,
      String rejection,
      boolean noop) {
    static Change rejected(Rule before, Journey journeyBefore, String why) {
      return new Change(before, before, journeyBefore, journeyBefore, why, false);
    }

    /** Whether a rule became a journey or the other way round: nothing pending carries over. */
    boolean kindSwitched() {
      return before != null && after != null && (journeyBefore == null) != (journeyAfter == null);
    }
  }

  UserEngine engine() {
    return engine;
  }

  /** The text in force of a rule or journey; null when none. */
  String yaml(String id) {
    RuleRecord record = records.get(id);
    return record == null ? null : record.getYaml();
  }

  /**
   * The change from one accepted text to another (either null: added or deleted), as {@link #offer}
   * made it: for a change that must reach users again after a restore.
   */
  static Change change(String beforeYaml, String afterYaml) {
    RuleParser.Result before = beforeYaml == null ? null : RuleParser.readAccepted(beforeYaml);
    RuleParser.Result after = afterYaml == null ? null : RuleParser.readAccepted(afterYaml);
    return new Change(
        trigger(before), trigger(after), journey(before), journey(after), null, false);
  }

  private static Rule trigger(RuleParser.Result read) {
    if (read == null) {
      return null;
    }
    return read.journey() != null ? read.journey().entry() : read.rule();
  }

  private static Journey journey(RuleParser.Result read) {
    return read == null ? null : read.journey();
  }

  /** The version in force of a rule or journey; null when none. */
  Integer versionInForce(String id) {
    RuleRecord record = records.get(id);
    return record == null ? null : record.getVersion();
  }

  int size() {
    return records.size();
  }

  /** Restores a record from broadcast state (it was accepted before). */
  void restore(RuleRecord record) {
    put(record.getRuleId(), RuleParser.readAccepted(record.getYaml()));
    records.put(record.getRuleId(), record);
    rebuild();
  }

  private void put(String id, RuleParser.Result read) {
    rules.remove(id);
    journeys.remove(id);
    if (read.rule() != null) {
      rules.put(id, read.rule());
    } else {
      journeys.put(id, read.journey());
    }
  }

  private Rule trigger(String id) {
    Journey journey = journeys.get(id);
    return journey != null ? journey.entry() : rules.get(id);
  }

  /** Restores the policies from broadcast state (they were accepted before). */
  void restorePolicies(PoliciesRecord record) {
    policies = PoliciesParser.parse(record.getYaml());
    rebuild();
  }

  /**
   * Checks a policies record (null: tombstone, no policies) and takes it in when valid; returns why
   * it was rejected, or null.
   */
  String offerPolicies(PoliciesRecord record) {
    if (record == null) {
      policies = Policies.NONE;
      rebuild();
      return null;
    }
    List<String> errors =
        RulesValidator.validatePolicies(RulesValidator.POLICIES_FILE, record.getYaml()).stream()
            .filter(Problem::isError)
            .map(Problem::toString)
            .toList();
    if (!errors.isEmpty()) {
      return String.join("; ", errors);
    }
    policies = PoliciesParser.parse(record.getYaml());
    rebuild();
    return null;
  }

  /** Checks a record (null: tombstone) for {@code ruleId} and, when acceptable, takes it in. */
  Change offer(String ruleId, RuleRecord record) {
    Rule before = trigger(ruleId);
    Journey journeyBefore = journeys.get(ruleId);
    if (record == null) {
      if (before == null) {
        // a tombstone for an unknown rule is harmless
        return new Change(null, null, null, null, null, true);
      }
      rules.remove(ruleId);
      journeys.remove(ruleId);
      records.remove(ruleId);
      rebuild();
      return new Change(before, null, journeyBefore, null, null, false);
    }
    RuleRecord current = records.get(ruleId);
    if (current != null && current.getYaml().equals(record.getYaml())) {
      // redelivered, e.g. after a restore
      return new Change(before, before, journeyBefore, journeyBefore, null, true);
    }
    RuleParser.Result read = RuleParser.read(record.getFile(), record.getYaml());
    String problem = problemWith(ruleId, record, current, read);
    if (problem != null) {
      return Change.rejected(before, journeyBefore, problem);
    }
    put(ruleId, read);
    records.put(ruleId, record);
    rebuild();
    return new Change(before, trigger(ruleId), journeyBefore, journeys.get(ruleId), null, false);
  }

  /** Why a record must not replace the rule in force, or null. */
  private static String problemWith(
      String ruleId, RuleRecord record, RuleRecord current, RuleParser.Result read) {
    List<String> errors =
        read.problems().stream().filter(Problem::isError).map(Problem::toString).toList();
    if (!errors.isEmpty()) {
      return String.join("; ", errors);
    }
    String id = read.id();
    int version = read.version();
    if (!id.equals(ruleId)) {
      return "the record's key '" + ruleId + "' does not match the rule id '" + id + "'";
    }
    if (version != record.getVersion()) {
      return "the record says version "
          + record.getVersion()
          + " but the rule text says "
          + version;
    }
    if (current != null && version <= current.getVersion()) {
      return "version "
          + version
          + " is not newer than version "
          + current.getVersion()
          + " in force";
    }
    return null;
  }

  private void rebuild() {
    engine =
        new UserEngine(
            new RuleSet(List.copyOf(rules.values()), List.copyOf(journeys.values())),
            policies,
            invalidDateValues);
  }
}
