package io.beckon.jobs.functions;

import io.beckon.engine.core.UserEngine;
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
 * The rules and policies a job instance applies, built from their records. Checks each incoming
 * record as the marketers' validator would, so a record that bypassed the validator cannot replace
 * a good version with a broken one.
 */
final class RulesInForce {
  private final Map<String, Rule> rules = new HashMap<>();
  private final Map<String, RuleRecord> records = new HashMap<>();
  private Policies policies = Policies.NONE;

  /** Invalid date values seen by every engine this instance builds (a metric). */
  private final java.util.concurrent.atomic.LongAdder invalidDateValues =
      new java.util.concurrent.atomic.LongAdder();

  private UserEngine engine;

  RulesInForce() {
    rebuild();
  }

  /** The outcome of offering a record: the change to apply, nothing to do, or a rejection. */
  record Change(Rule before, Rule after, String rejection, boolean noop) {}

  UserEngine engine() {
    return engine;
  }

  Rule rule(String id) {
    return rules.get(id);
  }

  int size() {
    return rules.size();
  }

  /** Restores a record from broadcast state (it was accepted before). */
  void restore(RuleRecord record) {
    rules.put(record.getRuleId(), RuleParser.parseAccepted(record.getYaml()));
    records.put(record.getRuleId(), record);
    rebuild();
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
    Rule before = rules.get(ruleId);
    if (record == null) {
      if (before == null) {
        return new Change(null, null, null, true); // a tombstone for an unknown rule is harmless
      }
      rules.remove(ruleId);
      records.remove(ruleId);
      rebuild();
      return new Change(before, null, null, false);
    }
    RuleRecord current = records.get(ruleId);
    if (current != null && current.getYaml().equals(record.getYaml())) {
      return new Change(before, before, null, true); // redelivered, e.g. after a restore
    }
    RuleParser.Result read = RuleParser.read(record.getFile(), record.getYaml());
    String problem = problemWith(ruleId, record, current, read);
    if (problem != null) {
      return new Change(before, before, problem, false);
    }
    Rule after = read.rule();
    rules.put(ruleId, after);
    records.put(ruleId, record);
    rebuild();
    return new Change(before, after, null, false);
  }

  /** Why a record must not replace the rule in force, or null. */
  private static String problemWith(
      String ruleId, RuleRecord record, RuleRecord current, RuleParser.Result read) {
    List<String> errors =
        read.problems().stream().filter(Problem::isError).map(Problem::toString).toList();
    if (!errors.isEmpty()) {
      return String.join("; ", errors);
    }
    Rule parsed = read.rule();
    if (!parsed.id().equals(ruleId)) {
      return "the record's key '" + ruleId + "' does not match the rule id '" + parsed.id() + "'";
    }
    if (parsed.version() != record.getVersion()) {
      return "the record says version "
          + record.getVersion()
          + " but the rule text says "
          + parsed.version();
    }
    if (current != null && parsed.version() <= current.getVersion()) {
      return "version "
          + parsed.version()
          + " is not newer than version "
          + current.getVersion()
          + " in force";
    }
    return null;
  }

  private void rebuild() {
    engine = new UserEngine(new RuleSet(List.copyOf(rules.values())), policies, invalidDateValues);
  }
}
