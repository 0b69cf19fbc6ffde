package io.beckon.tools.bench;

import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.time.Durations;
import io.beckon.jobs.JobConfig;
import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.schema.Event;
import io.beckon.schema.SendCommand;
import io.beckon.tools.Options;
import io.beckon.tools.embedded.EmbeddedKafka;
import io.beckon.tools.embedded.EmbeddedSchemaRegistry;
import io.beckon.tools.rules.PublishCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;

/**
 * {@code beckon bench}: on a real in-process Kafka broker and schema registry, preloads the demo's
 * traffic for {@code --users} users, then runs over the same events, one after another on one local
 * Flink cluster at the same parallelism: the passthrough limit, the CEP peer, Beckon with the
 * example rules and Beckon with the cart rule alone. Then measures latency (at-least-once, steady
 * traffic and a silent system), exactly-once visibility, checkpoints and state per user on a live
 * Beckon job. Prints a table; {@code --json FILE} writes the figures.
 */
public final class BenchCommand {
  static final String USAGE =
      "usage: beckon bench [--users 30000] [--quick] [--json FILE] [--rules DIR] [--parallelism 2]"
          + " [--rate 500] [--latency-duration 30s] [--disorder-bound 10s] [--idle-timer-lag BOUND]"
          + " [--quiet-samples 3] [--workdir DIR]";
  private static final String CART_RULE = "cart-abandonment-2h.yaml";
  private static final String EVENTS = "events";

  /** What one run does; {@code --quick} shrinks everything to a smoke run. */
  record Plan(
      int users,
      int parallelism,
      double rate,
      int probeEvery,
      Duration warmUp,
      Duration measure,
      Duration disorderBound,
      Duration idleTimerLag,
      int quietSamples,
      int engineOnlyUsers,
      int engineOnlyRounds,
      boolean quick) {
    static Plan from(Options o) {
      boolean quick = o.flag("quick");
      int users = Integer.parseInt(o.get("users", quick ? "150" : "30000"));
      Duration bound =
          duration(o, "disorder-bound", quick ? "1s" : JobConfig.DEFAULTS.get("disorder.bound"));
      return new Plan(
          users,
          Integer.parseInt(o.get("parallelism", "2")),
          Double.parseDouble(o.get("rate", quick ? "200" : "500")),
          quick ? 10 : 25,
          Duration.ofSeconds(quick ? 2 : 10),
          duration(o, "latency-duration", quick ? "4s" : "30s"),
          bound,
          // The job's default: the disorder bound.
          o.get("idle-timer-lag", null) == null ? bound : duration(o, "idle-timer-lag", null),
          Integer.parseInt(o.get("quiet-samples", quick ? "1" : "3")),
          Math.min(users, quick ? 150 : 3000),
          quick ? 1 : 3,
          quick);
    }

    private static Duration duration(Options o, String name, String fallback) {
      try {
        return Duration.ofMillis(Durations.parseMillis(o.get(name, fallback)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
      }
    }
  }

  private BenchCommand() {}

  public static int run(String[] args) throws Exception {
    Options options;
    Plan plan;
    try {
      options =
          Options.parse(
              args,
              Set.of(
                  "users",
                  "json",
                  "rules",
                  "parallelism",
                  "rate",
                  "latency-duration",
                  "disorder-bound",
                  "idle-timer-lag",
                  "quiet-samples",
                  "workdir"),
              Set.of("quick"));
      plan = Plan.from(options);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(USAGE);
      return 2;
    }
    Path home = Path.of(System.getProperty("beckon.home", "."));
    Path rulesDir = Path.of(options.get("rules", home.resolve("rules").toString()));
    Map<String, String> rules = RuleSet.readFolder(rulesDir);
    try {
      RuleSet.parse(rules);
    } catch (RuleSet.InvalidRulesException e) {
      e.problems().forEach(System.err::println);
      return 1;
    }
    if (!rules.containsKey(CART_RULE)) {
      System.err.println("bench: " + rulesDir + " has no " + CART_RULE);
      return 1;
    }
    Path work = options.workdir(home, "bench");
    Files.createDirectories(work);
    BenchReport report = new BenchReport();
    try {
      new BenchCommand.Session(plan, rules, work, report, home).run();
    } finally {
      delete(work);
    }
    report.print(System.out);
    String json = options.get("json", null);
    if (json != null) {
      report.writeJson(Path.of(json));
      say("wrote " + json);
    }
    return 0;
  }

  /** One bench run: infrastructure, preload, the four jobs, the live phases. */
  private record Session(
      Plan plan, Map<String, String> rules, Path work, BenchReport report, Path home) {
    void run() throws Exception {
      report.users = plan.users();
      report.settings.put("parallelism", plan.parallelism());
      report.settings.put("partitions", plan.parallelism());
      report.settings.put("checkpoint_interval_ms", BenchCluster.CHECKPOINT_INTERVAL.toMillis());
      report.settings.put("disorder_bound_ms", plan.disorderBound().toMillis());
      report.settings.put("idle_timer_lag_ms", plan.idleTimerLag().toMillis());
      report.settings.put("live_events_per_s", plan.rate());
      report.settings.put("live_probe_share", 1.0 / plan.probeEvery());
      report.settings.put("latency_measure_s", plan.measure().toSeconds());
      report.settings.put("quick", plan.quick());
      report.settings.put("state_backend", "rocksdb (incremental checkpoints)");
      report.settings.put("rules", rules.keySet().stream().sorted().toList());
      report.settings.put(
          "load_average_1m_at_start",
          java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

      if (!plan.quick()) {
        engineOnly();
      }
      say("starting Kafka (in-process), schema registry (Apicurio) and Flink (local, RocksDB)...");
      // The registry is a child process: it starts while Kafka and Flink start here (and, in a
      // quick run, while the engine alone runs: its figure does not matter there).
      Path runnerJar = apicurio(home);
      CompletableFuture<EmbeddedSchemaRegistry> registryStart =
          CompletableFuture.supplyAsync(
              () -> EmbeddedSchemaRegistry.start(runnerJar, work.resolve("registry")));
      if (plan.quick()) {
        engineOnly();
      }
      try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
          BenchCluster flink = BenchCluster.start(work.resolve("flink"), plan.parallelism());
          EmbeddedSchemaRegistry registry = registryStart.join()) {
        say("up");
        run(kafka, registry, flink);
      } finally {
        // If Kafka or Flink failed to start, the registry must not outlive the bench.
        registryStart.thenAccept(EmbeddedSchemaRegistry::close);
      }
    }

    private void engineOnly() {
      say(
          String.format(
              Locale.ROOT,
              "engine alone over %,d users (%d round%s after a warm-up)...",
              plan.engineOnlyUsers(),
              plan.engineOnlyRounds(),
              plan.engineOnlyRounds() == 1 ? "" : "s"));
      report.engineOnly = EngineOnly.run(rules, plan.engineOnlyUsers(), plan.engineOnlyRounds());
    }

    private void run(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry, BenchCluster flink)
        throws Exception {
      int p = plan.parallelism();
      List<NewTopic> topics = new ArrayList<>();
      for (String topic :
          List.of(EVENTS, "warmup-events", "passthrough-events", "cep-send-commands")) {
        topics.add(new NewTopic(topic, p, (short) 1));
      }
      for (String prefix : List.of("beckon", "beckon-cart", "live-alo", "live-eo")) {
        for (String topic : BenchJobs.beckonOutputTopics(prefix)) {
          topics.add(new NewTopic(topic, topic.endsWith("rules-rejected") ? 1 : p, (short) 1));
        }
      }
      for (String topic : List.of("rules-all", "policies-all", "rules-cart", "policies-cart")) {
        topics.add(
            new NewTopic(topic, 1, (short) 1)
                .configs(
                    Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)));
      }
      try (Admin admin = kafka.admin()) {
        admin.createTopics(topics).all().get();
      }
      BenchJobs.Wiring wiring =
          new BenchJobs.Wiring(kafka.bootstrapServers(), registry.url(), EVENTS);
      say("topics created; publishing the rules with `rules publish` while preloading...");
      CompletableFuture<Void> published =
          CompletableFuture.runAsync(
              () -> {
                publish(kafka, registry, "all", rules);
                publish(kafka, registry, "cart", Map.of(CART_RULE, rules.get(CART_RULE)));
              });

      int schemaId =
          RegistryClients.register(
              RegistryClients.create(registry.url(), Map.of()),
              EVENTS + "-value",
              new AvroSchema(Event.getClassSchema().toString()));
      say(String.format(Locale.ROOT, "preloading %,d users' events...", plan.users()));
      BenchData.Preloaded data =
          BenchData.preload(kafka.bootstrapServers(), EVENTS, schemaId, plan.users(), work);
      published.join();
      report.events = data.events();
      report.preloadBytes = data.bytes();
      report.preloadSeconds = data.seconds();
      say(
          String.format(
              Locale.ROOT,
              "preloaded %,d events (%,d MB) in %.1f s (%,.0f events/s)",
              data.events(),
              data.bytes() >> 20,
              data.seconds(),
              data.events() / data.seconds()));

      StreamExecutionEnvironment env;
      if (!plan.quick()) {
        // The first job in a JVM runs on cold code (JIT, class loading): a run that is not
        // counted, so the limit is not slowed by it.
        env = flink.environment();
        BenchJobs.passthrough(env, wiring, "warmup-events");
        BenchCluster.Run warmUp = flink.runToEnd(env, "warm-up");
        report.settings.put("warmup_run_s", Math.round(warmUp.wallSeconds() * 10) / 10.0);
        say(String.format(Locale.ROOT, "warm-up run (not counted): %.1f s", warmUp.wallSeconds()));
      }
      env = flink.environment();
      BenchJobs.passthrough(env, wiring, "passthrough-events");
      BenchCluster.Run passthrough = flink.runToEnd(env, "passthrough");
      record(passthrough, Topics.count(kafka.bootstrapServers(), "passthrough-events"), "events");

      env = flink.environment();
      BenchJobs.cep(env, wiring, "cep-send-commands", plan.disorderBound());
      BenchCluster.Run cep = flink.runToEnd(env, "cep");
      List<SendCommand> cepCommands =
          Topics.committedCommands(kafka.bootstrapServers(), registry.url(), "cep-send-commands");
      record(cep, cepCommands.size(), "commands");

      env = flink.environment();
      BenchJobs.beckon(env, beckonConfig(wiring, "beckon", "rules-all", true, "exactly-once"));
      BenchCluster.Run beckon = flink.runToEnd(env, "beckon");
      record(beckon, Topics.count(kafka.bootstrapServers(), "beckon-send-commands"), "commands");
      report.checkpoints = beckon.checkpoints();

      env = flink.environment();
      BenchJobs.beckon(
          env, beckonConfig(wiring, "beckon-cart", "rules-cart", true, "exactly-once"));
      BenchCluster.Run beckonCart = flink.runToEnd(env, "beckon_cart");
      List<SendCommand> cartCommands =
          Topics.committedCommands(
              kafka.bootstrapServers(), registry.url(), "beckon-cart-send-commands");
      record(beckonCart, cartCommands.size(), "commands");

      report.cepCommands = cepCommands.size();
      report.beckonCartCommands = cartCommands.size();
      try {
        report.cepDifference = CepCartAbandonment.sameFires(cepCommands, cartCommands);
      } catch (RuntimeException e) {
        report.cepDifference = "sameFires failed: " + e;
      }
      report.cepMatches = report.cepDifference == null;
      if (!report.cepMatches) {
        say("cep and beckon_cart differ: " + report.cepDifference);
      }

      live(kafka, registry, flink, wiring, schemaId, data);
    }

    /**
     * The live phases on one Beckon job with every example rule: it reads the preloaded events
     * (then its state is measured), then takes live traffic at-least-once; then the same job,
     * restored from that state, exactly-once.
     */
    private void live(
        EmbeddedKafka kafka,
        EmbeddedSchemaRegistry registry,
        BenchCluster flink,
        BenchJobs.Wiring wiring,
        int schemaId,
        BenchData.Preloaded data)
        throws Exception {
      say("live beckon job (at-least-once) reading the preloaded events...");
      StreamExecutionEnvironment env = flink.environment();
      BenchJobs.beckon(env, beckonConfig(wiring, "live-alo", "rules-all", false, "at-least-once"));
      BenchCluster.Submitted alo = flink.submit(env, "live-at-least-once", null);
      awaitCommitted(kafka, "live-alo", data);
      String savepoint = flink.nativeSavepoint(alo);
      say("measuring keyed state (native savepoint, RocksDB compaction)...");
      report.state = StateSize.measure(savepoint, work.resolve("state"));

      LatencyProbe probe =
          new LatencyProbe(
              kafka.bootstrapServers(),
              EVENTS,
              schemaId,
              plan.rate(),
              plan.probeEvery(),
              Math.min(plan.users(), 1000));
      try {
        Duration tail = plan.disorderBound().plusSeconds(2);
        Duration timeout = plan.idleTimerLag().plus(plan.disorderBound()).plusSeconds(60);
        say(
            String.format(
                Locale.ROOT,
                "latency: steady traffic at %,.0f events/s for %d s (after a warm-up)...",
                plan.rate(),
                plan.measure().toSeconds()));
        report.latency =
            probe.steady("live-alo-send-commands", plan.warmUp(), plan.measure(), tail, timeout);
        Duration silence = plan.idleTimerLag().plus(plan.disorderBound()).plusSeconds(2);
        say(
            String.format(
                Locale.ROOT,
                "latency in a silent system: %d single events, after %d s of silence...",
                plan.quietSamples(),
                silence.toSeconds()));
        report.quietLatency =
            probe.quiet("live-alo-send-commands", plan.quietSamples(), silence, timeout);
        flink.cancel(alo);

        say("exactly-once visibility: the live job restored exactly-once...");
        env = flink.environment();
        BenchJobs.beckon(env, beckonConfig(wiring, "live-eo", "rules-all", false, "exactly-once"));
        BenchCluster.Submitted eo = flink.submit(env, "live-exactly-once", savepoint);
        report.visibility =
            probe.visibility(
                "live-eo-send-commands",
                plan.warmUp().plus(BenchCluster.CHECKPOINT_INTERVAL.multipliedBy(2)),
                plan.measure().dividedBy(2),
                tail,
                timeout);
        CheckpointStatsSnapshot eoCheckpoints = flink.checkpoints(eo);
        report.settings.put(
            "live_eo_checkpoints", eoCheckpoints.getCounts().getNumberOfCompletedCheckpoints());
        flink.cancel(eo);
      } finally {
        probe.close();
      }
    }

    private JobConfig beckonConfig(
        BenchJobs.Wiring wiring,
        String prefix,
        String rulesTopic,
        boolean bounded,
        String delivery) {
      return BenchJobs.beckonConfig(
          wiring, prefix, rulesTopic, bounded, delivery, plan.disorderBound(), plan.idleTimerLag());
    }

    private void record(BenchCluster.Run run, long outputs, String what) {
      BenchReport.JobFigures figures =
          new BenchReport.JobFigures(
              run.name(), report.events, run.wallSeconds(), run.runningSeconds(), outputs, what);
      report.jobs.put(run.name(), figures);
      say(
          String.format(
              Locale.ROOT,
              "%-12s %,d events in %.1f s: %,d events/s (%,d events/s once running); %,d %s",
              run.name(),
              report.events,
              run.wallSeconds(),
              figures.eventsPerSecond(),
              figures.eventsPerSecondRunning(),
              outputs,
              what));
    }

    /** Waits until the job's consumer group has committed every preloaded offset. */
    private void awaitCommitted(EmbeddedKafka kafka, String group, BenchData.Preloaded data)
        throws Exception {
      long deadline = System.currentTimeMillis() + Math.max(600_000, data.events() / 500 * 1000);
      try (Admin admin = kafka.admin()) {
        while (true) {
          Map<TopicPartition, OffsetAndMetadata> committed =
              admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
          boolean done =
              data.endOffsets().entrySet().stream()
                  .allMatch(
                      e -> {
                        OffsetAndMetadata c = committed.get(e.getKey());
                        return c != null && c.offset() >= e.getValue();
                      });
          if (done) {
            return;
          }
          if (System.currentTimeMillis() > deadline) {
            throw new IllegalStateException("the live job did not read the preloaded events");
          }
          Thread.sleep(500);
        }
      }
    }

    private void publish(
        EmbeddedKafka kafka,
        EmbeddedSchemaRegistry registry,
        String name,
        Map<String, String> files) {
      Path dir = work.resolve("rules-" + name);
      try {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> f : files.entrySet()) {
          Files.writeString(dir.resolve(f.getKey()), f.getValue());
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int status =
          PublishCommand.run(
              new String[] {
                dir.toString(),
                "--bootstrap-servers",
                kafka.bootstrapServers(),
                "--schema-registry",
                registry.url(),
                "--topic",
                "rules-" + name,
                "--policies-topic",
                "policies-" + name
              },
              new PrintStream(out, true, StandardCharsets.UTF_8),
              new PrintStream(err, true, StandardCharsets.UTF_8));
      if (status != 0) {
        throw new IllegalStateException(
            "rules publish failed: " + err.toString(StandardCharsets.UTF_8));
      }
    }
  }

  private static Path apicurio(Path home) {
    String configured = System.getProperty("beckon.apicurio.dir");
    if (configured != null) {
      return EmbeddedSchemaRegistry.locateRunnerJar(Path.of(configured));
    }
    Path fromHome = home.resolve("tools/target/apicurio");
    return EmbeddedSchemaRegistry.locateRunnerJar(
        Files.isDirectory(fromHome) ? fromHome : Path.of("target/apicurio"));
  }

  private static final long STARTED = System.nanoTime();

  static void say(String line) {
    System.out.printf(
        Locale.ROOT, "bench [%5.1fs]: %s%n", (System.nanoTime() - STARTED) / 1e9, line);
    System.out.flush();
  }

  private static void delete(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
