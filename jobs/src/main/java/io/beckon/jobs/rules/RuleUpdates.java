package io.beckon.jobs.rules;

import io.beckon.engine.rules.Rule;
import io.beckon.engine.rules.RuleParser;
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
    Rule rule = RuleParser.parse(yaml);
    return RuleRecord.newBuilder()
        .setRuleId(rule.id())
        .setVersion(rule.version())
        .setEnabled(rule.enabled())
        .setFile(file)
        .setYaml(yaml)
        .setPublishedAt(publishedAt)
        .build();
  }

  /** One update per file, in file-name order, as if read from partition 0 of a rules topic. */
  public static List<RuleUpdate> fromFiles(Map<String, String> files) {
    List<RuleUpdate> updates = new ArrayList<>();
    new TreeMap<>(files)
        .forEach(
            (file, yaml) -> {
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
  public static Map<Integer, Long> toLoad(List<RuleUpdate> updates) {
    Map<Integer, Long> last = new HashMap<>();
    updates.forEach(u -> last.merge(u.getPartition(), u.getOffset(), Math::max));
    return last;
  }
}
