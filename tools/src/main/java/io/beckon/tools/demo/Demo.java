package io.beckon.tools.demo;

import io.beckon.engine.event.AvroEvents;
import io.beckon.engine.journey.Journey;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.time.Durations;
import io.beckon.jobs.EngagementJob;
import io.beckon.jobs.JobConfig;
import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WireFormat;
import io.beckon.schema.Event;
import io.beckon.tools.Options;
import io.beckon.tools.embedded.EmbeddedKafka;
import io.beckon.tools.embedded.EmbeddedSchemaRegistry;
import io.beckon.tools.report.HtmlReport;
import io.beckon.tools.report.ReportModel;
import io.beckon.tools.report.TerminalReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code beckon demo}: everything on one machine with nothing installed but a JDK. An in-process
 * Kafka broker, a real Confluent-compatible schema registry (Apicurio, child process), and the
 * engagement job on a local Flink cluster with RocksDB and exactly-once sinks; then generated
 * traffic in accelerated event time, live progress, and a summary read back from the topics.
 */
public final class Demo {
  private static final int EVENT_PARTITIONS = 4;
  private static final Map<String, String> TOPICS =
      Map.of(
          "sends",
          "send-commands",
          "suppressions",
          "send-suppressions",
          "conversions",
          "conversions",
          "journeys",
          "journey-events",
          "dlq",
          "events-dlq",
          "late",
          "events-late");

  private Demo() {}

  public static int run(String[] args) throws Exception {
    Options options;
    try {
      options =
          Options.parse(
              args,
              Set.of("duration", "users", "rate", "rules", "show", "workdir", "export", "report"),
              Set.of("serve"));
    } catch (IllegalArgumentException e) {
      System.err.println("demo: " + e.getMessage());
      return 2;
    }
    if (options.get("export", null) != null) {
      return export(Path.of(options.get("export", null)), users(options));
    }
    Path home = Path.of(System.getProperty("beckon.home", "."));
    Map<String, String> rules =
        RuleSet.readRepository(Path.of(options.get("rules", home.resolve("rules").toString())));
    try {
      RuleSet.parse(rules);
    } catch (RuleSet.InvalidRulesException e) {
      e.problems().forEach(System.err::println);
      return 1;
    }
    Path work = options.workdir(home, "demo");
    Files.createDirectories(work);
    long started = System.currentTimeMillis();
    say("starting Kafka (in-process), schema registry (Apicurio) and Flink (local, RocksDB)...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start(work.resolve("kafka"));
        EmbeddedSchemaRegistry registry =
            EmbeddedSchemaRegistry.start(
                EmbeddedSchemaRegistry.locateRunnerJar(home.resolve("tools/target/apicurio")),
                work.resolve("registry"))) {
      kafka.createTopic("events", EVENT_PARTITIONS);
      for (String topic : TOPICS.values()) {
        kafka.createTopic(topic, 2);
      }
      kafka.createCompactedTopic("rules", 1);
      kafka.createCompactedTopic("policies", 1);
      kafka.createTopic("rules-rejected", 1);
      // The marketers' repository: a working copy, so the demo can change a rule mid-run.
      Path rulesRepo = Files.createDirectories(work.resolve("rules"));
      for (Map.Entry<String, String> rule : rules.entrySet()) {
        Files.writeString(rulesRepo.resolve(rule.getKey()), rule.getValue());
      }
      say("publishing the rules with `rules publish`:");
      if (publish(rulesRepo, kafka, registry) != 0) {
        return 1;
      }
      boolean serve = options.flag("serve");
      JobConfig config =
          JobConfig.of(
              Map.of(
                  "bootstrap.servers",
                  kafka.bootstrapServers(),
                  "schema.registry.url",
                  registry.url(),
                  "group.id",
                  "beckon-demo",
                  "starting.offsets",
                  "earliest",
                  // Generated traffic keeps every partition busy; in --serve mode events come in
                  // real time.
                  "idle.timer.lag",
                  serve ? "60s" : "10s"));
      StreamExecutionEnvironment env = localCluster(work);
      EngagementJob.attach(env, config);
      JobClient job = env.executeAsync("beckon-demo");
      String show = options.get("show", serve ? "all" : "sample");
      CommandPrinter printer = new CommandPrinter(show);
      try (OutputWatcher outputs =
          new OutputWatcher(kafka.bootstrapServers(), registry.url(), TOPICS, printer)) {
        outputs.start();
        say(
            String.format(
                Locale.ROOT,
                "up in %.1f s: broker %s, registry %s",
                (System.currentTimeMillis() - started) / 1000.0,
                kafka.bootstrapServers(),
                registry.url()));
        if (serve) {
          serve(kafka, registry);
        } else {
          generate(options, kafka, registry, outputs, printer, rulesRepo);
          RuleSet published = RuleSet.parse(RuleSet.readFolder(rulesRepo));
          summary(
              outputs,
              java.util.stream.Stream.concat(
                      published.rules().stream().map(r -> r.id()),
                      published.journeys().stream().map(j -> j.id()))
                  .toList(),
              published.journeys());
          report(outputs, rulesRepo, Path.of(options.get("report", "demo-report.html")));
        }
      } finally {
        job.cancel().get();
      }
    } finally {
      deleteRecursively(work);
    }
    return 0;
  }

  /**
   * The marketers' report of this run (what {@code beckon report} shows for the output topics): a
   * table on stdout and the HTML page, which outlives the demo's working folder.
   */
  private static void report(OutputWatcher outputs, Path rulesRepo, Path page) throws IOException {
    ReportModel model;
    synchronized (outputs) {
      model =
          ReportModel.from(
              List.copyOf(outputs.commandLines),
              List.copyOf(outputs.suppressionLines),
              List.copyOf(outputs.conversionLines),
              RuleSet.parse(RuleSet.readFolder(rulesRepo)));
    }
    System.out.println();
    System.out.println("== What each rule did (beckon report) ==");
    System.out.print(TerminalReport.render(model));
    Files.writeString(page, HtmlReport.render(model), StandardCharsets.UTF_8);
    say("report page: " + page.toAbsolutePath() + " (open it in a browser)");
  }

  private static int users(Options options) {
    return Integer.parseInt(options.get("users", "3000"));
  }

  /**
   * Writes the demo's traffic as the JSON lines {@code beckon replay} and {@code rules preview}
   * read, in the order the demo produces it (the three malformed records are not part of it).
   */
  private static int export(Path file, int users) throws IOException {
    List<Event> events = new TrafficModel(42, users).generate();
    try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (Event e : events) {
        out.write(AvroEvents.toJson(e));
        out.newLine();
      }
    }
    say(
        String.format(
            Locale.ROOT, "wrote %,d events of %,d users to %s", events.size(), users, file));
    return 0;
  }

  private static StreamExecutionEnvironment localCluster(Path work) {
    // Exactly-once sinks commit on checkpoints: every 2 s, incremental, in the work folder.
    Configuration conf = io.beckon.tools.ReplayCommand.localConfiguration();
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("checkpoints").toUri().toString());
    conf.setString("execution.checkpointing.interval", "2s");
    return StreamExecutionEnvironment.createLocalEnvironment(2, conf);
  }

  /** Produces the simulated traffic at a steady rate, then waits for the job to catch up. */
  private static int publish(Path rulesRepo, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) {
    return io.beckon.tools.rules.PublishCommand.run(
        new String[] {
          rulesRepo.toString(),
          "--bootstrap-servers",
          kafka.bootstrapServers(),
          "--schema-registry",
          registry.url()
        });
  }

  /**
   * What a marketer might do mid-campaign: halve the cart reminder's delay and reword it. The job
   * picks it up from the rules topic; pending reminders are re-armed from their carts' last change.
   */
  private static void changeCartRule(
      Path rulesRepo, EmbeddedKafka kafka, EmbeddedSchemaRegistry registry) throws IOException {
    Path file = rulesRepo.resolve("cart-abandonment-2h.yaml");
    if (!Files.exists(file)) {
      return;
    }
    String text = Files.readString(file);
    java.util.regex.Matcher version =
        java.util.regex.Pattern.compile("(?m)^version: (\\d+)$").matcher(text);
    if (!version.find()) {
      return;
    }
    int next = Integer.parseInt(version.group(1)) + 1;
    String changed =
        version
            .replaceFirst("version: " + next)
            .replace("delay: 2h", "delay: 1h")
            .replace("are waiting.", "are still waiting.");
    Files.writeString(file, changed);
    say(
        "a marketer changes cart-abandonment-2h: version "
            + next
            + ", delay 2h -> 1h, new wording; publishing:");
    publish(rulesRepo, kafka, registry);
  }

  private static void generate(
      Options options,
      EmbeddedKafka kafka,
      EmbeddedSchemaRegistry registry,
      OutputWatcher outputs,
      CommandPrinter printer,
      Path rulesRepo)
      throws Exception {
    long budget = Durations.parseMillis(options.get("duration", "120s"));
    int users = users(options);
    List<Event> events = new TrafficModel(42, users).generate();
    double rate = Double.parseDouble(options.get("rate", "4000"));
    say(
        String.format(
            Locale.ROOT,
            "generating %,d events for %,d users over %d simulated days at up to %,.0f events/s (budget %d s)",
            events.size(),
            users,
            TrafficModel.SPAN / Durations.DAY,
            rate,
            budget / 1000));
    long start = System.currentTimeMillis();
    long deadline = start + budget;
    SchemaRegistryClient client = RegistryClients.create(registry.url(), Map.of());
    int schemaId =
        client.register("events-value", new AvroSchema(Event.getClassSchema().toString()));
    AtomicLong produced = new AtomicLong();
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("linger.ms", "5");
    p.setProperty("enable.idempotence", "true");
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      produceMalformed(producer, client);
      Progress progress = new Progress(outputs, produced, admin, start);
      for (Event e : events) {
        if (System.currentTimeMillis() > deadline) {
          say("duration budget reached while producing; stopping the generator");
          break;
        }
        producer.send(
            new ProducerRecord<>(
                "events",
                e.getUserId().getBytes(StandardCharsets.UTF_8),
                WireFormat.encode(schemaId, e)));
        long n = produced.incrementAndGet();
        if (n == events.size() / 2) {
          changeCartRule(rulesRepo, kafka, registry);
        }
        long due = start + (long) (n * 1000 / rate);
        long wait = due - System.currentTimeMillis();
        if (wait > 0) {
          Thread.sleep(wait);
        }
        progress.tick(false);
      }
      producer.flush();
      // Catch-up: until the job has committed every input offset and outputs went quiet.
      while (System.currentTimeMillis() < deadline) {
        progress.tick(false);
        boolean caughtUp = progress.processed() >= produced.get();
        if (caughtUp && System.currentTimeMillis() - outputs.lastOutputAt.get() > 6_000) {
          break;
        }
        Thread.sleep(250);
      }
      progress.tick(true);
      printer.finish();
      long seconds = Math.max(1, (System.currentTimeMillis() - start) / 1000);
      say(
          String.format(
              Locale.ROOT,
              "events processed: %,d in %d s (%,d events/s)",
              progress.processed(),
              seconds,
              progress.processed() / seconds));
    }
  }

  /**
   * A few records a broken app might send: they must land in the dead-letter topic, not stop the
   * job.
   */
  private static void produceMalformed(
      KafkaProducer<byte[], byte[]> producer, SchemaRegistryClient client) throws Exception {
    producer.send(
        new ProducerRecord<>(
            "events", "u-bad".getBytes(StandardCharsets.UTF_8), BrokenRecords.notInWireFormat()));
    producer.send(new ProducerRecord<>("events", null, BrokenRecords.unknownSchemaId()));
    producer.send(
        new ProducerRecord<>(
            "events",
            null,
            BrokenRecords.withoutUserId(client, "events-legacy-value", TrafficModel.START)));
  }

  /** The live progress line. */
  private static final class Progress {
    private final OutputWatcher outputs;
    private final AtomicLong produced;
    private final Admin admin;
    private final long start;
    private final boolean tty = System.console() != null;
    private long lastPrint;
    private long processed;

    Progress(OutputWatcher outputs, AtomicLong produced, Admin admin, long start) {
      this.outputs = outputs;
      this.produced = produced;
      this.admin = admin;
      this.start = start;
    }

    long processed() {
      return processed;
    }

    void tick(boolean last) throws Exception {
      long now = System.currentTimeMillis();
      if (!last && now - lastPrint < (tty ? 500 : 5_000)) {
        return;
      }
      lastPrint = now;
      processed = committedOffsets();
      double secs = Math.max(0.001, (now - start) / 1000.0);
      String line =
          String.format(
              Locale.ROOT,
              "[%5.1fs] produced %,d | processed %,d (%,.0f/s) | sent %,d | suppressed %,d | dead letters %,d | late %,d",
              secs,
              produced.get(),
              processed,
              processed / secs,
              outputs.sends.get(),
              outputs.suppressions.get(),
              outputs.deadLetters.get(),
              outputs.late.get());
      synchronized (System.out) {
        System.out.print(tty ? "\r\033[K" + line + (last ? "\n" : "") : line + "\n");
        System.out.flush();
      }
    }

    /** Input the job has durably processed: offsets it committed on completed checkpoints. */
    private long committedOffsets() throws Exception {
      Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets("beckon-demo").partitionsToOffsetAndMetadata().get();
      long sum = 0;
      for (var e : committed.values()) {
        if (e != null) {
          sum += e.offset();
        }
      }
      // Less the three malformed records, which are input too but not "events".
      return Math.max(0, sum - 3);
    }
  }

  private static void summary(OutputWatcher outputs, List<String> ruleIds, List<Journey> journeys) {
    System.out.println();
    System.out.println("== Beckon demo summary ==");
    System.out.println("send commands per rule:");
    synchronized (outputs) {
      // Per rule and version: a rule changed mid-run shows both versions' sends.
      Map<String, Long> byRule = new java.util.TreeMap<>(outputs.sendsByRule);
      ruleIds.stream()
          .filter(id -> byRule.keySet().stream().noneMatch(k -> k.startsWith(id + " v")))
          .forEach(id -> byRule.put(id, 0L));
      byRule.forEach((rule, n) -> System.out.printf(Locale.ROOT, "  %-32s %,8d%n", rule, n));
      System.out.println("suppressions per rule and reason:");
      outputs.suppressionsByReason.forEach(
          (k, n) -> System.out.printf(Locale.ROOT, "  %-40s %,8d%n", k, n));
      if (!journeys.isEmpty()) {
        System.out.println("journeys (journey-events: entries, exits by reason, sends per step):");
        outputs.journeys.lines(journeys).forEach(System.out::println);
      }
      System.out.println("dead letters:");
      outputs.deadLettersByReason.forEach(
          (k, n) -> System.out.printf(Locale.ROOT, "  %-60s %,4d%n", k, n));
    }
    System.out.printf(Locale.ROOT, "late events: %,d%n", outputs.late.get());
    System.out.printf(
        Locale.ROOT,
        "commands held by quiet hours (send_after later than fire_time): %,d%n",
        outputs.deferred.get());
    System.out.printf(Locale.ROOT, "conversions: %,d%n", outputs.conversions.get());
  }

  private static void serve(EmbeddedKafka kafka, EmbeddedSchemaRegistry registry)
      throws InterruptedException {
    say(
        "serving until Ctrl-C. Produce Avro events (Confluent wire format) keyed by user_id to 'events':");
    say("  bootstrap servers : " + kafka.bootstrapServers());
    say("  schema registry   : " + registry.url() + "  (subject events-value)");
    say(
        "  watch commands    : kcat -b "
            + kafka.bootstrapServers()
            + " -C -t send-commands -X isolation.level=read_committed -s value=avro -r "
            + registry.url());
    say("  watch journeys    : the same with -t journey-events");
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
    stop.await();
  }

  static void say(String line) {
    synchronized (System.out) {
      System.out.println("demo: " + line);
      System.out.flush();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Prints send commands as they arrive: all, a sample, or none. */
  static final class CommandPrinter implements java.util.function.Consumer<String> {
    private final String mode;
    private final AtomicLong seen = new AtomicLong();
    private final java.util.Set<String> rulesSeen =
        java.util.concurrent.ConcurrentHashMap.newKeySet();

    CommandPrinter(String mode) {
      this.mode = mode;
    }

    @Override
    public void accept(String json) {
      long n = seen.incrementAndGet();
      var view = io.beckon.engine.json.Json.parseObject(json);
      // The first command of every rule version is always shown: a rule change is visible.
      boolean firstOfVersion = rulesSeen.add(view.get("rule_id") + " v" + view.get("rule_version"));
      boolean print =
          mode.equals("all")
              || (mode.equals("sample") && (n <= 10 || n % 250 == 0 || firstOfVersion));
      if (print) {
        synchronized (System.out) {
          System.out.print(System.console() != null ? "\r\033[K" : "");
          System.out.println("send #" + n + " " + json);
        }
      }
    }

    void finish() {
      if (mode.equals("sample") && seen.get() > 10) {
        say(
            "(printed the first 10 send commands, the first of each rule version and every 250th;"
                + " --show all prints each)");
      }
    }
  }
}
