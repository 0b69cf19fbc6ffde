package io.beckon.tools.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStatsSummarySnapshot;

/** The bench's results: a table on the terminal and the same figures as JSON. */
final class BenchReport {
  /** One job's run over the preloaded events. */
  record JobFigures(
      String name,
      long events,
      double wallSeconds,
      double runningSeconds,
      long outputs,
      String what) {
    long eventsPerSecond() {
      return Math.round(events / wallSeconds);
    }

    long eventsPerSecondRunning() {
      return Math.round(events / Math.max(0.001, runningSeconds));
    }
  }

  final Map<String, JobFigures> jobs = new LinkedHashMap<>();
  final Map<String, Object> settings = new LinkedHashMap<>();
  int users;
  long events;
  long preloadBytes;
  double preloadSeconds;
  EngineOnly.Result engineOnly;
  LatencyProbe.Percentiles latency;
  LatencyProbe.Percentiles quietLatency;
  LatencyProbe.Visibility visibility;
  CheckpointStatsSnapshot checkpoints;
  StateSize.Measured state;
  boolean cepMatches;
  String cepDifference;
  long cepCommands;
  long beckonCartCommands;

  static final String STATE_METHOD =
      "native (RocksDB) savepoint of the live beckon job (all example rules) taken once it had"
          + " read every preloaded event; each subtask's RocksDB files restored under their"
          + " original names, every column family fully compacted (compactRange, bottommost level"
          + " forced, the job's own RocksDB options incl. compression); sum of .sst files / users."
          + " Keyed state only: profile, cart, triggers, attributes, dedup ids of the last 24 h,"
          + " buffered events and timers.";

  double ratioVsPassthrough() {
    return ratio("beckon", "passthrough");
  }

  double ratioCartVsCep() {
    return ratio("beckon_cart", "cep");
  }

  private double ratio(String a, String b) {
    JobFigures x = jobs.get(a);
    JobFigures y = jobs.get(b);
    return x == null || y == null
        ? Double.NaN
        : Math.round(10_000.0 * x.eventsPerSecond() / y.eventsPerSecond()) / 10_000.0;
  }

  long stateBytesPerUser() {
    return state == null ? -1 : Math.round((double) state.compactedBytes() / users);
  }

  Map<String, Object> toJson() {
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("users", users);
    root.put("events", events);
    Map<String, Object> jobsJson = new LinkedHashMap<>();
    jobs.forEach(
        (name, j) -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("events_per_s", j.eventsPerSecond());
          m.put("events_per_s_running", j.eventsPerSecondRunning());
          m.put("wall_s", round(j.wallSeconds()));
          m.put("running_s", round(j.runningSeconds()));
          m.put("outputs", j.outputs());
          m.put("outputs_are", j.what());
          jobsJson.put(name, m);
        });
    root.put("jobs", jobsJson);
    root.put("ratio_vs_passthrough", ratioVsPassthrough());
    root.put("ratio_cart_vs_cep", ratioCartVsCep());
    root.put("latency_ms", percentiles(latency, "disorder_bound_ms"));
    root.put("quiet_latency_ms", percentiles(quietLatency, "idle_timer_lag_ms"));
    root.put("eo_visibility_ms", visibility == null ? null : percentiles(visibility.extra()));
    root.put(
        "eo_visible_after_arrival_ms",
        visibility == null ? null : percentiles(visibility.visibleAfterArrival()));
    root.put("checkpoint", checkpointJson());
    root.put("state_bytes_per_user", stateBytesPerUser());
    if (state != null) {
      root.put("state_bytes", state.compactedBytes());
      root.put("state_savepoint_bytes", state.savepointBytes());
      root.put("state_entries", state.entries());
      root.put("state_logical_bytes_per_user", Math.round((double) state.logicalBytes() / users));
    }
    root.put("state_method", STATE_METHOD);
    root.put("cep_matches_beckon_cart", cepMatches);
    root.put("cep_difference", cepDifference);
    root.put("cep_commands", cepCommands);
    root.put("beckon_cart_commands", beckonCartCommands);
    if (engineOnly != null) {
      root.put("engine_only_events_per_s", Math.round(engineOnly.eventsPerSecond()));
      root.put("engine_only_users", engineOnly.users());
    }
    root.put("preload_events_per_s", Math.round(events / preloadSeconds));
    root.put("preload_bytes", preloadBytes);
    root.put("settings", settings);
    root.put("machine", machine());
    return root;
  }

  void writeJson(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, mapper.writeValueAsString(toJson()) + "\n");
  }

  void print(PrintStream out) {
    out.println();
    out.printf(
        Locale.ROOT,
        "== beckon bench: %,d events, %,d users, parallelism %s ==%n",
        events,
        users,
        settings.get("parallelism"));
    out.printf(
        Locale.ROOT,
        "%-12s %12s %9s %12s %10s %12s  %s%n",
        "job",
        "events",
        "wall s",
        "events/s",
        "running s",
        "events/s*",
        "outputs");
    for (JobFigures j : jobs.values()) {
      out.printf(
          Locale.ROOT,
          "%-12s %,12d %9.1f %,12d %10.1f %,12d  %,d %s%n",
          j.name(),
          j.events(),
          j.wallSeconds(),
          j.eventsPerSecond(),
          j.runningSeconds(),
          j.eventsPerSecondRunning(),
          j.outputs(),
          j.what());
    }
    out.println(
        "(wall: submission to end of job; running: from every task running to the end, * = over"
            + " that)");
    out.printf(
        Locale.ROOT,
        "beckon / passthrough: %.3f    beckon_cart / cep: %.3f%n",
        ratioVsPassthrough(),
        ratioCartVsCep());
    out.printf(
        Locale.ROOT,
        "cep matches beckon_cart: %s (%,d and %,d commands)%s%n",
        cepMatches,
        cepCommands,
        beckonCartCommands,
        cepDifference == null ? "" : "; first difference: " + cepDifference);
    out.println(
        "latency, event to command written (at-least-once, steady traffic): " + describe(latency));
    out.println("latency of a single event in a silent system: " + describe(quietLatency));
    out.println(
        "exactly-once: read_committed sees a command later by "
            + (visibility == null ? "n/a" : describe(visibility.extra()))
            + "; visible after arrival: "
            + (visibility == null ? "n/a" : describe(visibility.visibleAfterArrival())));
    Map<String, Object> cp = checkpointJson();
    out.println("checkpoints of the beckon run: " + (cp == null ? "none" : cp));
    if (state != null) {
      out.printf(
          Locale.ROOT,
          "keyed state: %,d bytes per user (RocksDB files, compacted: %,d bytes for %,d users;"
              + " %,d bytes in the savepoint before compaction; %,d entries, %,d bytes per user"
              + " as serialized keys and values)%n",
          stateBytesPerUser(),
          state.compactedBytes(),
          users,
          state.savepointBytes(),
          state.entries(),
          Math.round((double) state.logicalBytes() / users));
    }
    if (engineOnly != null) {
      out.printf(
          Locale.ROOT,
          "engine alone (1 thread, in-memory state, %,d users): %,d events/s%n",
          engineOnly.users(),
          Math.round(engineOnly.eventsPerSecond()));
    }
    out.println("machine: " + machine());
  }

  private static String describe(LatencyProbe.Percentiles p) {
    return p == null ? "n/a" : LatencyProbe.describe(p);
  }

  private Map<String, Object> checkpointJson() {
    if (checkpoints == null) {
      return null;
    }
    CompletedCheckpointStatsSummarySnapshot s = checkpoints.getSummaryStats();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", checkpoints.getCounts().getNumberOfCompletedCheckpoints());
    m.put("failed", checkpoints.getCounts().getNumberOfFailedCheckpoints());
    m.put("duration_ms_p50", Math.round(s.getEndToEndDurationStats().getQuantile(0.5)));
    m.put("duration_ms_max", s.getEndToEndDurationStats().getMaximum());
    m.put("state_bytes_max", s.getStateSizeStats().getMaximum());
    m.put("state_bytes_avg", s.getStateSizeStats().getAverage());
    m.put("checkpointed_bytes_avg", s.getCheckpointedSize().getAverage());
    m.put("checkpointed_bytes_max", s.getCheckpointedSize().getMaximum());
    Map<String, Integer> failures = new java.util.TreeMap<>();
    for (var c : checkpoints.getHistory().getCheckpoints()) {
      if (c instanceof org.apache.flink.runtime.checkpoint.FailedCheckpointStats f) {
        String reason = String.valueOf(f.getFailureMessage());
        failures.merge(reason.substring(0, Math.min(160, reason.length())), 1, Integer::sum);
      }
    }
    if (!failures.isEmpty()) {
      m.put("failure_reasons", failures);
    }
    return m;
  }

  private static Map<String, Object> percentiles(LatencyProbe.Percentiles p) {
    if (p == null) {
      return null;
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("p50", p.p50());
    m.put("p99", p.p99());
    m.put("max", p.max());
    m.put("samples", p.samples());
    m.put("missing", p.missing());
    return m;
  }

  /**
   * With the configured wait that the delay includes by design (the disorder bound with traffic,
   * the idle timer lag without), and what the pipeline adds beyond it.
   */
  private Map<String, Object> percentiles(LatencyProbe.Percentiles p, String waitSetting) {
    Map<String, Object> m = percentiles(p);
    Object wait = settings.get(waitSetting);
    if (m != null && wait instanceof Long w && p.samples() > 0) {
      m.put("configured_wait_ms", w);
      m.put("beyond_wait_p50", p.p50() - w);
      m.put("beyond_wait_p99", p.p99() - w);
    }
    return m;
  }

  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("cpu", cpuModel());
    m.put(
        "jdk",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    m.put(
        "os",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
    m.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
    m.put("total_memory_bytes", totalMemory());
    m.put("load_average_1m", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    m.put("date", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    return m;
  }

  private static String cpuModel() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      return lines.stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown");
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static long totalMemory() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getTotalMemorySize();
    }
    return -1;
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
