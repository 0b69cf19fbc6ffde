package io.beckon.tools;

import io.beckon.engine.event.ReceivedClock;
import io.beckon.engine.rules.Problem;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.rules.RulesValidator;
import io.beckon.engine.time.Durations;
import io.beckon.jobs.JobConfig;
import io.beckon.jobs.functions.EngineSettings;
import io.beckon.jobs.replay.Replay;
import io.beckon.jobs.replay.ReplayInput;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code beckon replay}: the engagement pipeline over a JSON-lines file on a local Flink cluster.
 * Bad lines are reported on stderr with their line number and skipped; outputs are sorted.
 */
public final class ReplayCommand {
  private ReplayCommand() {}

  public static int run(String[] args) throws Exception {
    Options options;
    try {
      options =
          Options.parse(
              args,
              Set.of(
                  "rules",
                  "events",
                  "out",
                  "suppressions",
                  "conversions",
                  "journeys",
                  "disorder-bound",
                  "max-clock-skew",
                  "parallelism",
                  "profile-retention"),
              Set.of());
      options.require("rules");
      options.require("events");
    } catch (IllegalArgumentException e) {
      System.err.println("replay: " + e.getMessage());
      return 2;
    }
    Path rulesDir = Path.of(options.require("rules"));
    Map<String, String> ruleFiles = RuleSet.readRepository(rulesDir);
    try {
      RuleSet.parse(ruleFiles);
    } catch (RuleSet.InvalidRulesException e) {
      e.problems().forEach(p -> System.err.println(rulesDir.resolve(p)));
      return 1;
    }
    String policies = ruleFiles.get(RulesValidator.POLICIES_FILE);
    if (policies != null) {
      List<Problem> problems =
          RulesValidator.validatePolicies(RulesValidator.POLICIES_FILE, policies);
      if (problems.stream().anyMatch(Problem::isError)) {
        problems.forEach(p -> System.err.println(rulesDir.resolve(p.toString())));
        return 1;
      }
    }
    Duration bound;
    Duration retention;
    ReceivedClock clock;
    try {
      bound = Duration.ofMillis(Durations.parseMillis(options.get("disorder-bound", "10s")));
      retention =
          JobConfig.retention(options.get("profile-retention", "off"), "--profile-retention");
      clock = new ReceivedClock(Durations.parseMillis(options.get("max-clock-skew", "1h")));
    } catch (IllegalArgumentException e) {
      System.err.println("replay: " + e.getMessage());
      return 2;
    }
    ReplayInput.Parsed input;
    try (BufferedReader reader =
        Files.newBufferedReader(Path.of(options.require("events")), StandardCharsets.UTF_8)) {
      input = ReplayInput.read(reader, clock);
    }
    input.rejected().forEach(r -> System.err.println(options.require("events") + ": " + r));

    Replay.Result result =
        Replay.run(
            localEnvironment(Integer.parseInt(options.get("parallelism", "2"))),
            input.events(),
            ruleFiles,
            bound,
            EngineSettings.DEFAULTS.withProfileRetention(retention));

    reportRejected(options.require("events"), input, result);
    write(options.get("out", null), result.sendCommands());
    if (options.get("suppressions", null) != null) {
      write(options.get("suppressions", null), result.suppressions());
    }
    if (options.get("conversions", null) != null) {
      write(options.get("conversions", null), result.conversions());
    }
    if (options.get("journeys", null) != null) {
      write(options.get("journeys", null), result.journeyEvents());
    }
    System.err.printf(
        "replay: %d events (%d bad lines skipped, %d late), %d send commands, %d suppressions,"
            + " %d conversions, %d journey events%n",
        input.events().size(),
        input.rejected().size() + result.rejected().size(),
        result.lateEvents(),
        result.sendCommands().size(),
        result.suppressions().size(),
        result.conversions().size(),
        result.journeyEvents().size());
    return 0;
  }

  /**
   * Events over a per-user limit are malformed too (contract section 1), though only the engine can
   * tell: reported like bad lines, after the run, in line order.
   */
  private static void reportRejected(String file, ReplayInput.Parsed input, Replay.Result result) {
    Map<String, Deque<Integer>> lines = input.linesByEvent();
    TreeMap<Integer, String> byLine = new TreeMap<>();
    for (Replay.Rejected r : result.rejected()) {
      Deque<Integer> candidates = lines.get(r.event());
      Integer line = candidates == null ? null : candidates.poll();
      if (line == null) { // not expected: every event came from a line
        System.err.println(file + ": " + r.event() + ": " + r.reason());
      } else {
        byLine.put(line, r.reason());
      }
    }
    byLine.forEach((line, reason) -> System.err.println(file + ": line " + line + ": " + reason));
  }

  private static void write(String file, List<String> lines) throws IOException {
    if (file == null) {
      PrintStream out = System.out;
      lines.forEach(out::println);
      out.flush();
    } else {
      Files.write(Path.of(file), lines, StandardCharsets.UTF_8);
    }
  }

  /** A local cluster in this JVM with the same state backend as production. */
  public static StreamExecutionEnvironment localEnvironment(int parallelism) {
    return StreamExecutionEnvironment.createLocalEnvironment(parallelism, localConfiguration());
  }

  /**
   * The settings every local run shares: RocksDB with bloom filters as in production (flink-conf),
   * Kryo forbidden, object reuse between chained operators (the job sets it too).
   */
  public static Configuration localConfiguration() {
    Configuration conf = new Configuration();
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(org.apache.flink.state.rocksdb.RocksDBConfigurableOptions.USE_BLOOM_FILTER, true);
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    return conf;
  }
}
