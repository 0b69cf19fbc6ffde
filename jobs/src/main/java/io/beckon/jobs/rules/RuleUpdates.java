package io.beckon.jobs.rules;

import io.beckon.engine.rules.RuleParser;
import io.beckon.engine.rules.RulesValidator;
import io.beckon.schema.PoliciesRecord;
import io.beckon.schema.RuleRecord;
import io.beckon.schema.internal.RuleUpdate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Rule records as the job receives them, built from a rules folder (replay, tests). */
public final class RuleUpdates {
  private RuleUpdates() {}

  /** A rule file as the record `rules publish` writes for it. */
  public static RuleRecord record(String file, String yaml, Instant publishedAt) {
    RuleParser.Result rule = RuleParser.readValid(yaml);
    return RuleRecord.newBuilder()
        .setRuleId(rule.id())
        .setVersion(rule.version())
        .setEnabled(rule.enabled())
        .setFile(file)
        .setYaml(yaml)
        .setPublishedAt(publishedAt)
        .build();
  }

  /**
   * One update per file, in file-name order, as if read from partition 0 of a rules topic; a {@code
   * policies.yaml} among them as if read from partition 0 of the policies topic.
   */
  public static List<RuleUpdate> fromFiles(Map<String, String> files) {
    List<RuleUpdate> updates = new ArrayList<>();
    new TreeMap<>(files)
        .forEach(
            (file, yaml) -> {
              if (file.equals(RulesValidator.POLICIES_FILE)) {
                updates.add(
                    RuleUpdate.newBuilder()
                        .setRuleId(POLICIES_KEY)
                        .setPartition(0)
                        .setOffset(0)
                        .setPolicies(true)
                        .setPoliciesRecord(new PoliciesRecord(yaml, Instant.EPOCH))
                        .build());
                return;
              }
              RuleRecord record = record(file, yaml, Instant.EPOCH);
              updates.add(
                  RuleUpdate.newBuilder()
                      .setRuleId(record.getRuleId())
                      .setPartition(0)
                      .setOffset(updates.size())
                      .setRecord(record)
                      .build());
            });
    return updates;
  }

  /** What the engine must have seen before it may apply events: the last update's position. */
  public static Map<String, Long> toLoad(List<RuleUpdate> updates) {
    Map<String, Long> last = new HashMap<>();
    updates.forEach(u -> last.merge(progressKey(u), u.getOffset(), Math::max));
    return last;
  }

  /** The key of the policies topic's one record. */
  public static final String POLICIES_KEY = "policies";

  /**
   * The loading progress key of an update's partition: the partition number for the rules topic (as
   * kept in checkpoints before policies were read), {@code policies/N} for the policies topic.
   */
  public static String progressKey(RuleUpdate update) {
    return progressKey(update.getPolicies(), update.getPartition());
  }

  public static String progressKey(boolean policies, int partition) {
    return policies ? "policies/" + partition : Integer.toString(partition);
  }
}
