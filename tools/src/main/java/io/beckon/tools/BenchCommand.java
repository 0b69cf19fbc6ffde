package io.beckon.tools;

import io.beckon.engine.core.FireListener;
import io.beckon.engine.core.UserEngine;
import io.beckon.engine.core.UserTimeline;
import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.rules.RuleSet;
import io.beckon.jobs.replay.Replay;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.tools.demo.TrafficModel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code beckon bench}: throughput of the engine alone (one thread, in-memory state) and of the
 * whole replay pipeline (local Flink, RocksDB, parallelism 2) over the demo's simulated traffic.
 */
public final class BenchCommand {
  private BenchCommand() {}

  public static int run(String[] args) throws Exception {
    Options options = Options.parse(args, Set.of("users", "rules", "rounds"), Set.of());
    Path home = Path.of(System.getProperty("beckon.home", "."));
    Map<String, String> ruleFiles =
        RuleSet.readFolder(Path.of(options.get("rules", home.resolve("rules").toString())));
    int users = Integer.parseInt(options.get("users", "3000"));
    int rounds = Integer.parseInt(options.get("rounds", "5"));
    List<Event> events = new TrafficModel(42, users).generate();
    System.out.printf(
        Locale.ROOT,
        "bench: %,d events, %,d users, %d rules%n",
        events.size(),
        users,
        ruleFiles.size());

    UserEngine engine = new UserEngine(RuleSet.parse(ruleFiles));
    double best = 0;
    long[] outputs = new long[2];
    for (int round = 0; round <= rounds; round++) {
      long start = System.nanoTime();
      outputs = engineOnly(engine, events);
      double rate = events.size() / ((System.nanoTime() - start) / 1e9);
      if (round > 0) { // round 0 warms up the JIT
        best = Math.max(best, rate);
        System.out.printf(Locale.ROOT, "  engine only, round %d: %,.0f events/s%n", round, rate);
      }
    }
    System.out.printf(
        Locale.ROOT,
        "engine only (1 thread, in-memory state): best %,.0f events/s; %,d sends, %,d suppressions%n",
        best,
        outputs[0],
        outputs[1]);
    System.out.println("  sends per rule: " + SENDS_PER_RULE);
    System.out.println("  suppressions per rule: " + SUPPRESSIONS_PER_RULE);
    System.out.printf(
        Locale.ROOT,
        "  long-lived state after the run (profile, cart, triggers, attributes; serialized as the"
            + " job stores it): %,d bytes for %,d users, %,d bytes per user on average, %,d for"
            + " the largest%n",
        lastStateBytes[0],
        lastStateBytes[2],
        lastStateBytes[0] / Math.max(1, lastStateBytes[2]),
        lastStateBytes[1]);

    long start = System.nanoTime();
    Replay.Result result =
        Replay.run(ReplayCommand.localEnvironment(2), events, ruleFiles, Duration.ofSeconds(10));
    double secs = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "replay pipeline (local Flink, RocksDB, parallelism 2): %.1f s including job start, %,.0f events/s; %,d sends, %,d suppressions%n",
        secs,
        events.size() / secs,
        result.sendCommands().size(),
        result.suppressions().size());
    return 0;
  }

  /** Total bytes, largest user's bytes and users after the last engine-only round. */
  private static long[] lastStateBytes = new long[3];

  private static final Map<String, Long> SENDS_PER_RULE = new java.util.TreeMap<>();
  private static final Map<String, Long> SUPPRESSIONS_PER_RULE = new java.util.TreeMap<>();

  private static long[] engineOnly(UserEngine engine, List<Event> events) {
    SENDS_PER_RULE.clear();
    SUPPRESSIONS_PER_RULE.clear();
    Map<String, UserTimeline> timelines = new HashMap<>();
    for (Event e : events) {
      timelines
          .computeIfAbsent(e.getUserId(), u -> new UserTimeline(engine, u))
          .add(AvroEvents.fromAvro(e));
    }
    long[] counts = new long[2];
    FireListener count =
        new FireListener() {
          @Override
          public void sent(SendCommand command) {
            counts[0]++;
            SENDS_PER_RULE.merge(command.getRuleId(), 1L, Long::sum);
          }

          @Override
          public void suppressed(Suppression suppression) {
            counts[1]++;
            SUPPRESSIONS_PER_RULE.merge(
                suppression.getRuleId() + ":" + suppression.getReason(), 1L, Long::sum);
          }
        };
    timelines.values().forEach(t -> t.runUntil(Long.MAX_VALUE, count));
    long total = 0;
    long max = 0;
    for (UserTimeline t : timelines.values()) {
      long bytes = t.store().serializedBytes();
      total += bytes;
      max = Math.max(max, bytes);
    }
    lastStateBytes = new long[] {total, max, timelines.size()};
    return counts;
  }
}
