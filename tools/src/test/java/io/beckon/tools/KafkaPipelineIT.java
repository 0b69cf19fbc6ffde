package io.beckon.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.jobs.EngagementJob;
import io.beckon.jobs.JobConfig;
import io.beckon.jobs.kafka.DeadLetterSerializer;
import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WireFormat;
import io.beckon.schema.Event;
import io.beckon.schema.RuleRecord;
import io.beckon.schema.RuleRejection;
import io.beckon.schema.SendCommand;
import io.beckon.tools.demo.BrokenRecords;
import io.beckon.tools.embedded.EmbeddedKafka;
import io.beckon.tools.embedded.EmbeddedSchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engagement job end to end on real parts: an in-process Kafka broker, the Apicurio registry
 * server with the real Confluent client, a MiniCluster at parallelism 2 with RocksDB and
 * checkpoints, exactly-once sinks read back with {@code read_committed}.
 */
class KafkaPipelineIT {
  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static final Map<String, String> RULES =
      Map.of(
          "cart.yaml",
          """
          id: cart-abandonment-2h
          version: 3
          trigger: {kind: cart_abandoned, delay: 2h}
          exit_on: [purchase_completed]
          message:
            channel: push
            title: "{{ first_name | default: 'Hi there' }}, your cart misses you"
            body: "{{ cart_units }} items worth {{ cart_value }} {{ currency | default: 'USD' }} are waiting."
          """,
          "promo.yaml",
          """
          id: promo-click
          version: 1
          trigger: {kind: event, event: promo_clicked, where: {attribute: campaign, op: eq, value: spring}}
          message: {channel: in_app, body: "Spring deal: {{ event.campaign | upcase }}"}
          """);

  static LocalInfrastructure infra;
  static Path work;
  static EmbeddedKafka kafka;
  static EmbeddedSchemaRegistry registry;

  @BeforeAll
  static void startInfrastructure() throws Exception {
    infra = LocalInfrastructure.start("beckon-it");
    work = infra.work;
    kafka = infra.kafka;
    registry = infra.registry;
    kafka.createTopic("events", 2);
    kafka.createCompactedTopic("rules", 1);
    kafka.createCompactedTopic("policies", 1);
    kafka.createTopic("rules-rejected", 1);
    for (String t :
        List.of(
            "send-commands",
            "send-suppressions",
            "conversions",
            "journey-events",
            "events-dlq",
            "events-late")) {
      kafka.createTopic(t, 2);
    }
  }

  @AfterAll
  static void stopInfrastructure() {
    if (infra != null) {
      infra.close();
    }
  }

  @Test
  void wireFormatEventsBecomeExactlyTheExpectedCommandsAndBadRecordsBecomeDeadLetters()
      throws Exception {
    JobConfig config =
        JobConfig.of(
            Map.of(
                "bootstrap.servers",
                kafka.bootstrapServers(),
                "schema.registry.url",
                registry.url(),
                "starting.offsets",
                "earliest",
                "transaction.timeout",
                "60s"));
    StreamExecutionEnvironment env = environment();
    publish(RULES, "rules", "policies");
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-it");
    try {
      SchemaRegistryClient client = RegistryClients.create(registry.url(), Map.of());
      int id = client.register("events-value", new AvroSchema(Event.getClassSchema().toString()));
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        // A bad record first: the job must keep going past it.
        producer.send(
            new ProducerRecord<>("events", 0, bytes("u-x"), BrokenRecords.notInWireFormat()));
        producer.send(new ProducerRecord<>("events", 1, null, BrokenRecords.unknownSchemaId()));
        producer.send(
            new ProducerRecord<>(
                "events",
                0,
                null,
                BrokenRecords.withoutUserId(
                    client,
                    "old-events-value",
                    Instant.parse("2026-01-05T10:00:00Z").toEpochMilli())));

        send(
            producer,
            id,
            "t1",
            "u-1",
            "push_token_registered",
            "2026-01-05T09:00:00Z",
            "{\"token\":\"tok-1\"}");
        send(
            producer,
            id,
            "a1",
            "u-1",
            "attributes_set",
            "2026-01-05T09:00:00Z",
            "{\"attributes\":{\"first_name\":\"Ana\"}}");
        send(
            producer,
            id,
            "e-17",
            "u-1",
            "cart_item_added",
            "2026-01-05T10:00:00Z",
            "{\"sku\":\"SKU-1\",\"name\":\"Face wash\",\"quantity\":2,\"price\":9.5,\"currency\":\"USD\"}");
        send(
            producer,
            id,
            "t2",
            "u-2",
            "push_token_registered",
            "2026-01-05T09:00:00Z",
            "{\"token\":\"tok-2\"}");
        send(
            producer,
            id,
            "c2",
            "u-2",
            "cart_item_added",
            "2026-01-05T10:00:00Z",
            "{\"sku\":\"SKU-9\"}");
        send(
            producer,
            id,
            "p2",
            "u-2",
            "purchase_completed",
            "2026-01-05T11:00:00Z",
            "{\"total\":5}");
        send(
            producer,
            id,
            "k3",
            "u-3",
            "promo_clicked",
            "2026-01-05T10:30:00Z",
            "{\"campaign\":\"spring\"}");
        send(
            producer,
            id,
            "k3",
            "u-3",
            "promo_clicked",
            "2026-01-05T10:30:00Z",
            "{\"campaign\":\"spring\"}");
        send(
            producer,
            id,
            "k4",
            "u-3",
            "promo_clicked",
            "2026-01-05T10:40:00Z",
            "{\"campaign\":\"autumn\"}");
        // Move event time on both partitions past the 12:00 fire.
        for (int p = 0; p < 2; p++) {
          producer.send(
              new ProducerRecord<>(
                  "events",
                  p,
                  bytes("clock"),
                  WireFormat.encode(
                      id,
                      event(
                          "clock-" + p, "clock-" + p, "heartbeat", "2026-01-06T00:00:00Z", null))));
        }
        producer.flush();
      }

      List<SendCommand> commands = new ArrayList<>();
      List<String> deadLetterReasons = new ArrayList<>();
      readCommitted(commands, deadLetterReasons, 2, 3, Duration.ofSeconds(90));

      Set<String> got = new TreeSet<>();
      commands.forEach(
          c ->
              got.add(
                  c.getUserId() + " " + c.getRuleId() + " " + c.getFireTime() + " " + c.getBody()));
      assertEquals(
          new TreeSet<>(
              List.of(
                  "u-1 cart-abandonment-2h 2026-01-05T12:00:00Z 2 items worth 19.0 USD are waiting.",
                  "u-3 promo-click 2026-01-05T10:30:00Z Spring deal: SPRING")),
          got);
      SendCommand cart =
          commands.stream().filter(c -> c.getUserId().equals("u-1")).findFirst().orElseThrow();
      assertEquals("Ana, your cart misses you", cart.getTitle());
      assertEquals("tok-1", cart.getAddress());
      assertEquals(3, cart.getRuleVersion());
      assertEquals(
          Set.of(
              "not in the Confluent wire format: magic byte is 123",
              "unknown schema id 32767 (not in the registry)",
              "schema id "
                  + client.getId(
                      "old-events-value", new AvroSchema(PoisonCorpusIT.oldEventSchema()))
                  + " (demo.OldEvent) has no field 'user_id'"),
          Set.copyOf(deadLetterReasons));
      assertTrue(
          job.getJobStatus().get().name().equals("RUNNING"),
          "the job keeps running after bad input");
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void anInactivityTimerFiresOnAQuietStreamWithoutAnyFurtherEvent() throws Exception {
    JobConfig config = isolatedJob("q", 2, Map.of("disorder.bound", "1s", "idle.timer.lag", "2s"));
    Map<String, String> rules =
        Map.of(
            "idle.yaml",
            "id: idle\nversion: 1\ntrigger: {kind: inactivity, after: 5s}\nmessage: {channel: in_app, body: gone}\n");
    StreamExecutionEnvironment env = environment();
    publish(rules, config.topic("rules"), config.get("topic.rules") + "-policies");
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-quiet-it");
    try {
      int id = registerEventSchema("q-events-value");
      // Event time = now: one app open, then silence on both partitions.
      Instant opened = Instant.ofEpochMilli(System.currentTimeMillis());
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        producer.send(
            new ProducerRecord<>(
                "q-events",
                bytes("u-q"),
                WireFormat.encode(id, event("o1", "u-q", "app_opened", opened.toString(), null))));
        producer.flush();
      }
      List<SendCommand> commands = new ArrayList<>();
      readCommitted(
          "q-send-commands",
          "q-events-dlq",
          commands,
          new ArrayList<>(),
          1,
          0,
          Duration.ofSeconds(60));
      assertEquals(1, commands.size());
      assertEquals(opened.plusSeconds(5), commands.get(0).getFireTime());
    } finally {
      job.cancel().get();
    }
  }

  /**
   * Exactly-once across a failure: the TaskManager is killed while commands are flowing; after
   * recovery from the last checkpoint a read_committed consumer sees every command exactly once.
   */
  @Test
  void commandsAreExactlyOnceAcrossATaskManagerFailure(
      @org.apache.flink.test.junit5.InjectMiniCluster
          org.apache.flink.runtime.minicluster.MiniCluster cluster)
      throws Exception {
    JobConfig config = isolatedJob("f", 2, Map.of());
    Map<String, String> rules =
        Map.of(
            "ping.yaml",
            "id: ping\nversion: 1\ntrigger: {kind: event, event: ping}\nmessage: {channel: in_app, body: pong}\n");
    StreamExecutionEnvironment env = environment();
    publish(rules, config.topic("rules"), config.get("topic.rules") + "-policies");
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-failover-it");
    try {
      int id = registerEventSchema("f-events-value");
      Instant t0 = Instant.parse("2026-02-01T00:00:00Z");
      List<SendCommand> commands = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer = producer();
          KafkaConsumer<byte[], byte[]> consumer = committedReader("f-send-commands")) {
        produce(producer, id, t0, 0, 200);
        // Wait until part of the output is committed, then kill the only TaskManager mid-stream.
        pollUntil(consumer, commands, 50, Duration.ofSeconds(60));
        cluster.terminateTaskManager(0).get();
        cluster.startTaskManager();
        produce(producer, id, t0, 200, 400);
        for (int p = 0; p < 2; p++) {
          producer.send(
              new ProducerRecord<>(
                  "f-events",
                  p,
                  bytes("clock-" + p),
                  WireFormat.encode(
                      id,
                      event(
                          "clock-" + p,
                          "clock-" + p,
                          "heartbeat",
                          t0.plusSeconds(3600).toString(),
                          null))));
        }
        producer.flush();
        pollUntil(consumer, commands, 400, Duration.ofSeconds(120));
        pollUntil(consumer, commands, Integer.MAX_VALUE, Duration.ofSeconds(3)); // anything extra?
      }
      assertEquals(400, commands.size(), "each ping gives exactly one committed command");
      assertEquals(400, commands.stream().map(SendCommand::getSendId).distinct().count());
    } finally {
      job.cancel().get();
    }
  }

  /** One record on a chosen partition, with an explicit Kafka timestamp (the §2 reference R). */
  private record Timed(int partition, String receivedAt, Event event) {}

  /**
   * Clocks from the future on every partition: events 30 minutes ahead of their Kafka timestamp
   * take effect at that timestamp, events 2 days ahead are dead letters, nothing fires early and
   * later ordinary events stay on time; replay of the same input with {@code received_at} gives the
   * same commands; every command carries the wall-clock write time as its Kafka timestamp.
   */
  @Test
  void eventsFromTheFutureFireNothingEarlyAndCommandsCarryTheirWriteTime() throws Exception {
    JobConfig config = isolatedJob("clk", 2, Map.of("disorder.bound", "1s"));
    StreamExecutionEnvironment env = environment();
    publish(RULES, config.topic("rules"), config.get("topic.rules") + "-policies");
    EngagementJob.attach(env, config);
    long testStart = System.currentTimeMillis();
    JobClient job = env.executeAsync("beckon-clock-it");
    List<Timed> input =
        List.of(
            new Timed(
                0,
                "2026-03-01T10:00:00Z",
                event(
                    "t1",
                    "u-1",
                    "push_token_registered",
                    "2026-03-01T10:00:00Z",
                    "{\"token\":\"tok-1\"}")),
            new Timed(
                0,
                "2026-03-01T10:00:00Z",
                event("c1", "u-1", "cart_item_added", "2026-03-01T10:00:00Z", "{\"sku\":\"A\"}")),
            new Timed(
                1,
                "2026-03-01T10:00:00Z",
                event(
                    "t2",
                    "u-2",
                    "push_token_registered",
                    "2026-03-01T10:00:00Z",
                    "{\"token\":\"tok-2\"}")),
            // 30 minutes ahead on both partitions: clamped to the record timestamp, 10:10.
            new Timed(
                0,
                "2026-03-01T10:10:00Z",
                event(
                    "f0",
                    "u-f0",
                    "promo_clicked",
                    "2026-03-01T10:40:00Z",
                    "{\"campaign\":\"spring\"}")),
            new Timed(
                1,
                "2026-03-01T10:10:00Z",
                event(
                    "f1",
                    "u-f1",
                    "promo_clicked",
                    "2026-03-01T10:40:00Z",
                    "{\"campaign\":\"spring\"}")),
            // Two days ahead on both partitions: dead letters.
            new Timed(
                0,
                "2026-03-01T10:10:00Z",
                event("x0", "u-x0", "app_opened", "2026-03-03T10:10:00Z", null)),
            new Timed(
                1,
                "2026-03-01T10:10:00Z",
                event("x1", "u-x1", "app_opened", "2026-03-03T10:10:00Z", null)),
            // Ordinary events after them are on time: the purchase cancels u-1's reminder.
            new Timed(
                0,
                "2026-03-01T11:00:00Z",
                event("p1", "u-1", "purchase_completed", "2026-03-01T11:00:00Z", "{\"total\":5}")),
            new Timed(
                1,
                "2026-03-01T10:30:00Z",
                event("c2", "u-2", "cart_item_added", "2026-03-01T10:30:00Z", "{\"sku\":\"B\"}")),
            new Timed(
                0,
                "2026-03-01T14:00:00Z",
                event("h0", "clock-0", "heartbeat", "2026-03-01T14:00:00Z", null)),
            new Timed(
                1,
                "2026-03-01T14:00:00Z",
                event("h1", "clock-1", "heartbeat", "2026-03-01T14:00:00Z", null)));
    List<SendCommand> commands = new ArrayList<>();
    List<Long> writeTimes = new ArrayList<>();
    List<String> deadLetters = new ArrayList<>();
    try {
      int id = registerEventSchema("clk-events-value");
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        for (Timed t : input) {
          producer.send(
              new ProducerRecord<>(
                  "clk-events",
                  t.partition(),
                  Instant.parse(t.receivedAt()).toEpochMilli(),
                  bytes(t.event().getUserId()),
                  WireFormat.encode(id, t.event())));
        }
        producer.flush();
      }
      var schemas =
          new io.beckon.jobs.kafka.WriterSchemas(RegistryClients.create(registry.url(), Map.of()));
      try (KafkaConsumer<byte[], byte[]> consumer = committedReader("clk-send-commands")) {
        long deadline = System.currentTimeMillis() + 90_000;
        while (commands.size() < 3 && System.currentTimeMillis() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            assertEquals(
                org.apache.kafka.common.record.TimestampType.CREATE_TIME, r.timestampType());
            writeTimes.add(r.timestamp());
            commands.add(schemas.decode(r.value(), SendCommand.class));
          }
        }
      }
      readCommitted(
          "clk-none",
          "clk-events-dlq",
          new ArrayList<>(),
          deadLetters,
          0,
          2,
          Duration.ofSeconds(60));
    } finally {
      job.cancel().get();
    }
    long readAt = System.currentTimeMillis();

    assertEquals(
        List.of(
            "promo-click u-f0 2026-03-01T10:10:00Z",
            "promo-click u-f1 2026-03-01T10:10:00Z",
            "cart-abandonment-2h u-2 2026-03-01T12:30:00Z"),
        commands.stream()
            .map(c -> c.getRuleId() + " " + c.getUserId() + " " + c.getFireTime())
            .sorted(
                java.util.Comparator.comparing((String line) -> line.split(" ")[2])
                    .thenComparing(java.util.Comparator.naturalOrder()))
            .toList());
    String reason =
        "'time' 2026-03-03T10:10:00Z is more than max.clock.skew (1h) ahead of the time the"
            + " record was received, 2026-03-01T10:10:00Z";
    assertEquals(List.of(reason, reason), deadLetters);
    for (long written : writeTimes) {
      assertTrue(
          written >= testStart && written <= readAt,
          "the Kafka timestamp is the write time, not an event time: "
              + Instant.ofEpochMilli(written));
    }

    // The same input as a replay file, R kept as received_at: the same commands, ids included.
    // A topic dump, merged across partitions in record-timestamp order.
    StringBuilder file = new StringBuilder();
    List<Timed> byReception = new ArrayList<>(input);
    byReception.sort(java.util.Comparator.comparing((Timed t) -> Instant.parse(t.receivedAt())));
    for (Timed t : byReception) {
      String line = io.beckon.engine.event.AvroEvents.toJson(t.event());
      file.append(line, 0, line.length() - 1)
          .append(",\"received_at\":\"")
          .append(t.receivedAt())
          .append("\"}\n");
    }
    var parsed =
        io.beckon.jobs.replay.ReplayInput.read(
            new java.io.BufferedReader(new java.io.StringReader(file.toString())),
            new io.beckon.engine.event.ReceivedClock(3_600_000L));
    assertEquals(2, parsed.rejected().size());
    var replayed =
        io.beckon.jobs.replay.Replay.run(
            environment(), parsed.events(), RULES, Duration.ofSeconds(1));
    assertEquals(
        new TreeSet<>(replayed.sendCommands()),
        new TreeSet<>(commands.stream().map(io.beckon.engine.core.JsonViews::of).toList()));
  }

  /**
   * Time across a stop and a restore: an event late before the stop is late after it, and a trigger
   * that falls due while the job is down fires after the restore although no on-time event ever
   * arrives (the engine's watermark is in its state; silence after a restore counts the downtime as
   * quiet time).
   */
  @Test
  void aTriggerDueDuringTheDowntimeFiresAfterARestoreWithoutAnyEvent() throws Exception {
    JobConfig config =
        isolatedJob("rst", 1, Map.of("disorder.bound", "1s", "idle.timer.lag", "3s"));
    Map<String, String> rules =
        Map.of(
            "later.yaml",
            "id: later\nversion: 1\ntrigger: {kind: event, event: ping, delay: 20s}\n"
                + "message: {channel: in_app, body: later}\n",
            "ack.yaml",
            "id: ack\nversion: 1\ntrigger: {kind: event, event: ack}\n"
                + "message: {channel: in_app, body: ack}\n");
    publish(rules, config.topic("rules"), config.get("topic.rules") + "-policies");
    int id = registerEventSchema("rst-events-value");
    Instant ping =
        Instant.ofEpochMilli(System.currentTimeMillis())
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    List<SendCommand> commands = new ArrayList<>();
    String savepoint;
    StreamExecutionEnvironment first = environment();
    EngagementJob.attach(first, config);
    JobClient job = first.executeAsync("beckon-restart-it-1");
    try (KafkaProducer<byte[], byte[]> producer = producer();
        KafkaConsumer<byte[], byte[]> consumer = committedReader("rst-send-commands")) {
      produceTo(producer, "rst-events", id, "p", "u-1", "ping", ping.toString(), null);
      produceTo(
          producer, "rst-events", id, "a", "u-2", "ack", ping.plusSeconds(5).toString(), null);
      producer.flush();
      // The ack's command is out: the watermark has passed ping + 5s.
      pollUntil(consumer, commands, 1, Duration.ofSeconds(60));
      assertEquals("ack", commands.get(0).getRuleId());
      produceTo(
          producer,
          "rst-events",
          id,
          "old-1",
          "u-3",
          "app_opened",
          ping.minusSeconds(300).toString(),
          null);
      producer.flush();
      assertEquals(1, countRecords("rst-events-late", 1, Duration.ofSeconds(30)), "late before");
      savepoint =
          job.stopWithSavepoint(
                  false,
                  work.resolve("savepoints").toUri().toString(),
                  org.apache.flink.core.execution.SavepointFormatType.CANONICAL)
              .get();
    }
    // Down until the ping's reminder (ping + 20s) is due.
    long due = ping.plusSeconds(21).toEpochMilli();
    while (System.currentTimeMillis() < due) {
      Thread.sleep(Math.max(1, due - System.currentTimeMillis()));
    }

    StreamExecutionEnvironment second = environment();
    Configuration restore = new Configuration();
    restore.setString("execution.state-recovery.path", savepoint);
    second.configure(restore);
    EngagementJob.attach(second, config);
    JobClient restored = second.executeAsync("beckon-restart-it-2");
    try (KafkaProducer<byte[], byte[]> producer = producer();
        KafkaConsumer<byte[], byte[]> consumer = committedReader("rst-send-commands")) {
      produceTo(
          producer,
          "rst-events",
          id,
          "old-2",
          "u-3",
          "app_opened",
          ping.minusSeconds(240).toString(),
          null);
      producer.flush();
      List<SendCommand> after = new ArrayList<>();
      pollUntil(consumer, after, 1, Duration.ofSeconds(90));
      List<SendCommand> reminders =
          after.stream().filter(c -> c.getRuleId().equals("later")).toList();
      assertEquals(1, reminders.size(), "the reminder due during the downtime");
      assertEquals(ping.plusSeconds(20), reminders.get(0).getFireTime());
      assertEquals(2, countRecords("rst-events-late", 2, Duration.ofSeconds(30)), "late after");
    } finally {
      restored.cancel().get();
    }
  }

  /** How many committed records a topic has, polling until {@code expected} or the time is up. */
  private static int countRecords(String topic, int expected, Duration timeout) {
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader(topic)) {
      consumer.unsubscribe();
      var partitions =
          consumer.partitionsFor(topic).stream()
              .map(i -> new org.apache.kafka.common.TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      int count = 0;
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (count < expected && System.currentTimeMillis() < deadline) {
        count += consumer.poll(Duration.ofMillis(200)).count();
      }
      count += consumer.poll(Duration.ofMillis(1500)).count();
      return count;
    }
  }

  private static void produce(
      KafkaProducer<byte[], byte[]> producer, int schemaId, Instant t0, int from, int to) {
    for (int i = from; i < to; i++) {
      String user = "u-" + (i % 50);
      producer.send(
          new ProducerRecord<>(
              "f-events",
              bytes(user),
              WireFormat.encode(
                  schemaId, event("ping-" + i, user, "ping", t0.plusSeconds(i).toString(), null))));
    }
    producer.flush();
  }

  private static KafkaConsumer<byte[], byte[]> committedReader(String topic) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("group.id", "reader-" + topic);
    p.setProperty("isolation.level", "read_committed");
    p.setProperty("auto.offset.reset", "earliest");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }

  /** Reads commands until {@code count} were seen or the time is up. */
  private static void pollUntil(
      KafkaConsumer<byte[], byte[]> consumer, List<SendCommand> out, int count, Duration timeout)
      throws Exception {
    var schemas =
        new io.beckon.jobs.kafka.WriterSchemas(RegistryClients.create(registry.url(), Map.of()));
    long deadline = System.currentTimeMillis() + timeout.toMillis();
    while (out.size() < count && System.currentTimeMillis() < deadline) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        out.add(schemas.decode(r.value(), SendCommand.class));
      }
    }
  }

  static final String CART_V1 =
      "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\nmessage: {channel: in_app, body: cart}\n";
  static final String PROMO_V1 =
      "id: promo\nversion: 1\ntrigger: {kind: event, event: promo, delay: 1h}\nmessage: {channel: in_app, body: promo}\n";
  static final String PING_V1 =
      "id: ping\nversion: 1\ntrigger: {kind: event, event: ping}\nmessage: {channel: in_app, body: pong}\n";

  static final String PROMO_MEASURED =
      "id: promo\nversion: 1\ntrigger: {kind: event, event: browse}\n"
          + "message: {channel: in_app, body: deals}\n"
          + "conversion: {event: purchase_completed, within: 1h}\n";

  /**
   * Policies reach the job through their own compacted topic: a cap of one send an hour holds the
   * second fire back as a frequency_cap suppression, and the purchase after the first fire is a
   * conversion on the conversions topic, all read with read_committed.
   */
  @Test
  void policiesFromTheirTopicCapSendsAndConversionsReachTheirTopic() throws Exception {
    JobConfig config = isolatedJob("pc", 2, Map.of());
    publish(
        Map.of(
            "promo.yaml", PROMO_MEASURED, "policies.yaml", "frequency_caps: [{max: 1, per: 1h}]\n"),
        "pc-rules",
        "pc-rules-policies");
    StreamExecutionEnvironment env = environment();
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-policies-it");
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      int id = registerEventSchema("pc-events-value");
      produceTo(producer, "pc-events", id, "b1", "u-1", "browse", "2026-03-01T10:00:00Z", null);
      produceTo(producer, "pc-events", id, "b2", "u-1", "browse", "2026-03-01T10:10:00Z", null);
      produceTo(
          producer,
          "pc-events",
          id,
          "p1",
          "u-1",
          "purchase_completed",
          "2026-03-01T10:30:00Z",
          "{\"total\":20}");
      clock(producer, "pc-events", id, 2, "2026-03-01T12:00:00Z");
      List<SendCommand> commands = readAll("pc-send-commands", SendCommand.class, 1);
      List<io.beckon.schema.Suppression> suppressions =
          readAll("pc-send-suppressions", io.beckon.schema.Suppression.class, 1);
      List<io.beckon.schema.Conversion> conversions =
          readAll("pc-conversions", io.beckon.schema.Conversion.class, 1);
      assertEquals(1, commands.size());
      assertEquals("2026-03-01T10:00:00Z", commands.get(0).getFireTime().toString());
      assertEquals(1, suppressions.size());
      assertEquals("frequency_cap", suppressions.get(0).getReason());
      assertEquals("2026-03-01T10:10:00Z", suppressions.get(0).getFireTime().toString());
      assertEquals(1, conversions.size());
      assertEquals(commands.get(0).getSendId(), conversions.get(0).getSendId());
      assertEquals("2026-03-01T10:30:00Z", conversions.get(0).getConversionTime().toString());
      assertEquals(20.0, conversions.get(0).getTotal());
      assertEquals("default", conversions.get(0).getVariant());
      assertEquals(0, restarts(job), "nothing restarted the job");
    } finally {
      job.cancel().get();
    }
  }

  /**
   * Every committed record of a topic decoded as {@code type}: polls until {@code expected} came,
   * then two more checkpoint intervals, so an extra (duplicate) record would show.
   */
  private static <T extends org.apache.avro.specific.SpecificRecord> List<T> readAll(
      String topic, Class<T> type, int expected) throws Exception {
    var schemas =
        new io.beckon.jobs.kafka.WriterSchemas(RegistryClients.create(registry.url(), Map.of()));
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader(topic)) {
      long deadline = System.currentTimeMillis() + 60_000;
      long extraUntil = Long.MAX_VALUE;
      while (System.currentTimeMillis() < Math.min(deadline, extraUntil)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(schemas.decode(r.value(), type));
        }
        if (out.size() >= expected && extraUntil == Long.MAX_VALUE) {
          extraUntil = System.currentTimeMillis() + 4_000;
        }
      }
    }
    return out;
  }

  /**
   * Rules change while the job runs: a shorter delay re-arms pending fires, a disabled rule's
   * pending fire never comes, a deleted rule stops firing, and an invalid record written straight
   * to the topic is rejected while the version before it stays in force.
   */
  @Test
  void ruleChangesTakeEffectWhileTriggersArePending() throws Exception {
    JobConfig config = isolatedJob("h", 2, Map.of());
    publish(
        Map.of("cart.yaml", CART_V1, "promo.yaml", PROMO_V1, "ping.yaml", PING_V1),
        "h-rules",
        "h-rules-policies");
    StreamExecutionEnvironment env = environment();
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-hot-reload-it");
    try (KafkaProducer<byte[], byte[]> producer = producer();
        KafkaConsumer<byte[], byte[]> commandsReader = committedReader("h-send-commands")) {
      int id = registerEventSchema("h-events-value");
      produceTo(
          producer,
          "h-events",
          id,
          "c1",
          "u-1",
          "cart_item_added",
          "2026-03-01T10:00:00Z",
          "{\"sku\":\"A\"}");
      produceTo(
          producer,
          "h-events",
          id,
          "c2",
          "u-2",
          "cart_item_added",
          "2026-03-01T10:00:00Z",
          "{\"sku\":\"B\"}");
      produceTo(producer, "h-events", id, "p3", "u-3", "promo", "2026-03-01T10:00:00Z", null);
      produceTo(producer, "h-events", id, "g4", "u-4", "ping", "2026-03-01T10:05:00Z", null);
      clock(producer, "h-events", id, 2, "2026-03-01T10:30:00Z");
      List<SendCommand> commands = new ArrayList<>();
      pollUntil(commandsReader, commands, 1, Duration.ofSeconds(60));
      assertEquals(
          "u-4 ping v1", describe(commands.get(0)), "the ping rule works before it is deleted");

      // The marketer's next commit: cart delay 2h -> 1h, promo disabled, ping deleted.
      publish(
          Map.of(
              "cart.yaml",
                  CART_V1.replace("version: 1", "version: 2").replace("delay: 2h", "delay: 1h"),
              "promo.yaml", PROMO_V1.replace("version: 1", "version: 2\nenabled: false")),
          "h-rules",
          "h-rules-policies");
      // Someone bypasses the validator: version 3 of cart with a channel that does not exist.
      String broken = CART_V1.replace("version: 1", "version: 3").replace("in_app", "pigeon");
      int ruleSchema =
          RegistryClients.create(registry.url(), Map.of())
              .register("h-rules-value", new AvroSchema(RuleRecord.getClassSchema().toString()));
      producer.send(
          new ProducerRecord<>(
              "h-rules",
              bytes("cart"),
              WireFormat.encode(
                  ruleSchema,
                  RuleRecord.newBuilder()
                      .setRuleId("cart")
                      .setVersion(3)
                      .setEnabled(true)
                      .setFile("cart.yaml")
                      .setYaml(broken)
                      .setPublishedAt(Instant.now())
                      .build())));
      producer.flush();
      List<RuleRejection> rejections =
          readRejections("h-rules-rejected", 1, Duration.ofSeconds(60));
      assertEquals("cart", rejections.get(0).getRuleId());
      assertEquals(3, rejections.get(0).getVersion());
      assertEquals(2, rejections.get(0).getVersionInForce());
      assertTrue(
          rejections.get(0).getReason().contains("'pigeon' is not one of"),
          rejections.get(0).getReason());

      produceTo(
          producer,
          "h-events",
          id,
          "c5",
          "u-5",
          "cart_item_added",
          "2026-03-01T11:30:00Z",
          "{\"sku\":\"C\"}");
      produceTo(producer, "h-events", id, "g6", "u-6", "ping", "2026-03-01T11:40:00Z", null);
      clock(producer, "h-events", id, 2, "2026-03-01T14:00:00Z");
      pollUntil(commandsReader, commands, 4, Duration.ofSeconds(60));
      pollUntil(
          commandsReader, commands, Integer.MAX_VALUE, Duration.ofSeconds(3)); // anything extra?
      List<String> got = new ArrayList<>();
      commands.forEach(c -> got.add(describe(c) + " @" + c.getFireTime()));
      got.sort(null);
      assertEquals(
          List.of(
              "u-1 cart v2 @2026-03-01T11:00:00Z",
              "u-2 cart v2 @2026-03-01T11:00:00Z",
              "u-4 ping v1 @2026-03-01T10:05:00Z",
              "u-5 cart v2 @2026-03-01T12:30:00Z"),
          got);
    } finally {
      job.cancel().get();
    }
  }

  /**
   * Hostile rule records written straight to the rules topic, past the validator: each is rejected
   * to {@code rules-rejected} with a reason naming the limit, the job never restarts, and the
   * version published before them keeps deciding.
   */
  @Test
  void hostileRuleRecordsAreRejectedAndThePreviousVersionKeepsDeciding() throws Exception {
    JobConfig config = isolatedJob("x", 2, Map.of());
    // Let the broker take a record past the job's own 1 MiB limit, so the job has to refuse it.
    try (var admin = kafka.admin()) {
      var topic =
          new org.apache.kafka.common.config.ConfigResource(
              org.apache.kafka.common.config.ConfigResource.Type.TOPIC, "x-rules");
      admin
          .incrementalAlterConfigs(
              Map.of(
                  topic,
                  List.of(
                      new org.apache.kafka.clients.admin.AlterConfigOp(
                          new org.apache.kafka.clients.admin.ConfigEntry(
                              "max.message.bytes", String.valueOf(4 * 1024 * 1024)),
                          org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET))))
          .all()
          .get();
    }
    publish(Map.of("cart.yaml", CART_V1), "x-rules", "x-rules-policies");
    StreamExecutionEnvironment env = environment();
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-hostile-rules-it");
    Properties big = new Properties();
    big.setProperty("bootstrap.servers", kafka.bootstrapServers());
    big.setProperty("max.request.size", String.valueOf(8 * 1024 * 1024));
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(big, new ByteArraySerializer(), new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> commandsReader = committedReader("x-send-commands")) {
      int ruleSchema =
          RegistryClients.create(registry.url(), Map.of())
              .register("x-rules-value", new AvroSchema(RuleRecord.getClassSchema().toString()));
      String v2 = CART_V1.replace("version: 1", "version: 2");
      List<String> hostile =
          List.of(
              v2 + "x: &a [*a]\n",
              v2
                  + "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                  + "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                  + "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                  + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
              v2 + "x: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n",
              v2 + "# " + "x".repeat(300_000) + "\n",
              v2 + "audience: {attribute: city, op: in, value: [" + "1,".repeat(1000) + "1]}\n",
              v2 + "# " + "x".repeat(2 * 1024 * 1024) + "\n");
      for (String yaml : hostile) {
        producer.send(
            new ProducerRecord<>(
                "x-rules",
                bytes("cart"),
                WireFormat.encode(
                    ruleSchema,
                    RuleRecord.newBuilder()
                        .setRuleId("cart")
                        .setVersion(2)
                        .setEnabled(true)
                        .setFile("cart.yaml")
                        .setYaml(yaml)
                        .setPublishedAt(Instant.now())
                        .build())));
      }
      producer.send(
          new ProducerRecord<>("x-rules", bytes("cart"), BrokenRecords.notInWireFormat()));
      producer.send(
          new ProducerRecord<>("x-rules", bytes("cart"), BrokenRecords.unknownSchemaId()));
      producer.flush();
      List<RuleRejection> rejections =
          readRejections("x-rules-rejected", 8, Duration.ofSeconds(90));
      List<String> reasons = rejections.stream().map(r -> r.getReason().toString()).toList();
      List<String> expected =
          List.of(
              "cart.yaml:5:4: error: invalid YAML: an alias refers to itself",
              "cart.yaml:1:1: error: invalid YAML: more than 20 aliases of lists or mappings (an alias bomb?)",
              "cart.yaml:1:1: error: invalid YAML: lists and mappings nested deeper than 40 levels",
              "cart.yaml:1:1: error: the file is 300,",
              "cart.yaml:5:44: error: audience.value: 1,001 items; at most 1,000",
              "the record is ",
              "not in the Confluent wire format",
              "unknown schema id");
      for (int i = 0; i < expected.size(); i++) {
        assertTrue(reasons.get(i).startsWith(expected.get(i)), reasons.get(i));
        assertEquals("cart", rejections.get(i).getRuleId());
      }
      rejections.subList(0, 5).forEach(r -> assertEquals(1, r.getVersionInForce()));

      int id = registerEventSchema("x-events-value");
      produceTo(
          producer,
          "x-events",
          id,
          "c1",
          "u-1",
          "cart_item_added",
          "2026-03-01T10:00:00Z",
          "{\"sku\":\"A\"}");
      clock(producer, "x-events", id, 2, "2026-03-01T14:00:00Z");
      List<SendCommand> commands = new ArrayList<>();
      pollUntil(commandsReader, commands, 1, Duration.ofSeconds(60));
      assertEquals("u-1 cart v1", describe(commands.get(0)), "version 1 keeps deciding");
      assertEquals(0, restarts(job), "the job never restarted");
    } finally {
      job.cancel().get();
    }
  }

  /** The job's restart count, read from the MiniCluster's REST metrics. */
  private static long restarts(JobClient job) {
    Configuration client = MINI_CLUSTER.getClientConfiguration();
    return JobRestarts.of(
        java.net.URI.create(
            "http://"
                + client.get(org.apache.flink.configuration.RestOptions.ADDRESS)
                + ":"
                + client.get(org.apache.flink.configuration.RestOptions.PORT)),
        job.getJobID());
  }

  /**
   * Events already waiting when the job starts are applied only once the rules published before the
   * start are loaded: every one of them is evaluated against the ping rule.
   */
  @Test
  void eventsWaitingAtStartAreEvaluatedOnlyWithTheRulesLoaded() throws Exception {
    JobConfig config = isolatedJob("w", 2, Map.of());
    int id = registerEventSchema("w-events-value");
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int u = 0; u < 30; u++) {
        produceTo(
            producer, "w-events", id, "g" + u, "u-" + u, "ping", "2026-03-01T10:00:00Z", null);
      }
      clock(producer, "w-events", id, 2, "2026-03-01T11:00:00Z");
    }
    // Many rules ahead of the one that matters, so loading takes a while: without the hold, the
    // waiting events would be evaluated (and fire nothing) long before the ping rule arrives.
    int ruleSchema =
        RegistryClients.create(registry.url(), Map.of())
            .register("w-rules-value", new AvroSchema(RuleRecord.getClassSchema().toString()));
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      for (int i = 0; i < 3000; i++) {
        String filler =
            PING_V1
                .replace("id: ping", "id: filler-" + i)
                .replace("event: ping", "event: other-" + i);
        producer.send(
            new ProducerRecord<>(
                "w-rules",
                bytes("filler-" + i),
                WireFormat.encode(
                    ruleSchema,
                    io.beckon.jobs.rules.RuleUpdates.record(
                        "filler-" + i + ".yaml", filler, Instant.EPOCH))));
      }
      producer.send(
          new ProducerRecord<>(
              "w-rules",
              bytes("ping"),
              WireFormat.encode(
                  ruleSchema,
                  io.beckon.jobs.rules.RuleUpdates.record("ping.yaml", PING_V1, Instant.EPOCH))));
    }
    StreamExecutionEnvironment env = environment();
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-rules-first-it");
    try (KafkaConsumer<byte[], byte[]> commandsReader = committedReader("w-send-commands")) {
      List<SendCommand> commands = new ArrayList<>();
      pollUntil(commandsReader, commands, 30, Duration.ofSeconds(60));
      pollUntil(commandsReader, commands, Integer.MAX_VALUE, Duration.ofSeconds(2));
      assertEquals(30, commands.size(), "every waiting event met the rules");
    } finally {
      job.cancel().get();
    }
  }

  private static String describe(SendCommand c) {
    return c.getUserId() + " " + c.getRuleId() + " v" + c.getRuleVersion();
  }

  private static void produceTo(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      int schemaId,
      String id,
      String user,
      String type,
      String time,
      String props) {
    producer.send(
        new ProducerRecord<>(
            topic, bytes(user), WireFormat.encode(schemaId, event(id, user, type, time, props))));
  }

  /** One event per partition at {@code time}: moves the watermark on every partition. */
  private static void clock(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      int schemaId,
      int partitions,
      String time) {
    for (int p = 0; p < partitions; p++) {
      producer.send(
          new ProducerRecord<>(
              topic,
              p,
              bytes("clock-" + p),
              WireFormat.encode(
                  schemaId,
                  event("clock-" + time + "-" + p, "clock-" + p, "heartbeat", time, null))));
    }
    producer.flush();
  }

  private static List<RuleRejection> readRejections(String topic, int count, Duration timeout)
      throws Exception {
    List<RuleRejection> out = new ArrayList<>();
    var schemas =
        new io.beckon.jobs.kafka.WriterSchemas(RegistryClients.create(registry.url(), Map.of()));
    try (KafkaConsumer<byte[], byte[]> consumer = committedReader(topic)) {
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (out.size() < count && System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(schemas.decode(r.value(), RuleRejection.class));
        }
      }
    }
    assertTrue(out.size() >= count, "timed out waiting for " + count + " rule rejection(s)");
    return out;
  }

  /**
   * Determinism across modes: simulated traffic produced to Kafka and processed live gives exactly
   * the send commands (ids included) that replay computes from the same events.
   */
  @Test
  void liveProcessingMatchesReplay() throws Exception {
    Map<String, String> rules =
        new java.util.TreeMap<>(io.beckon.engine.rules.RuleSet.readFolder(Path.of("..", "rules")));
    // A yearly rule has no common end here: replay's end of input fires what is pending and arms
    // no next year, while a live job goes on through the years its clock passes. Yearly date
    // rules are held to order independence by OrderIndependenceTest (replay against replay).
    rules.remove("birthday-coupon.yaml");
    List<Event> events = new io.beckon.tools.demo.TrafficModel(7, 300).generate();
    List<String> expected =
        io.beckon.jobs.replay.Replay.run(environment(), events, rules, Duration.ofSeconds(10))
            .sendCommands();

    JobConfig config = isolatedJob("d", 4, Map.of());
    StreamExecutionEnvironment env = environment();
    publish(rules, config.topic("rules"), config.get("topic.rules") + "-policies");
    EngagementJob.attach(env, config);
    JobClient job = env.executeAsync("beckon-live-vs-replay");
    try {
      int id = registerEventSchema("d-events-value");
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        for (Event e : events) {
          producer.send(
              new ProducerRecord<>("d-events", bytes(e.getUserId()), WireFormat.encode(id, e)));
        }
        // Event time far past every pending fire, on every partition: live ends where replay does.
        Instant end = events.get(events.size() - 1).getTime().plus(Duration.ofDays(60));
        for (int p = 0; p < 4; p++) {
          producer.send(
              new ProducerRecord<>(
                  "d-events",
                  p,
                  bytes("clock-" + p),
                  WireFormat.encode(
                      id, event("clock-" + p, "clock-" + p, "heartbeat", end.toString(), null))));
        }
        producer.flush();
      }
      List<SendCommand> commands = new ArrayList<>();
      readCommitted(
          "d-send-commands",
          "d-events-dlq",
          commands,
          new ArrayList<>(),
          expected.size(),
          0,
          Duration.ofSeconds(120));
      List<String> live = new ArrayList<>();
      commands.forEach(c -> live.add(io.beckon.engine.core.JsonViews.of(c)));
      live.sort(null);
      List<String> replayed = new ArrayList<>(expected);
      replayed.sort(null);
      assertEquals(replayed.size(), live.size());
      assertEquals(replayed, live);
    } finally {
      job.cancel().get();
    }
  }

  /** Publishes rule files with {@code beckon rules publish}, as a marketer's CI would. */
  static void publish(Map<String, String> files, String rulesTopic, String policiesTopic)
      throws Exception {
    Path dir = Files.createTempDirectory(work, "rules-");
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(dir.resolve(f.getKey()), f.getValue());
    }
    int status =
        io.beckon.tools.rules.PublishCommand.run(
            new String[] {
              dir.toString(),
              "--bootstrap-servers",
              kafka.bootstrapServers(),
              "--schema-registry",
              registry.url(),
              "--topic",
              rulesTopic,
              "--policies-topic",
              policiesTopic
            });
    assertEquals(0, status, "rules publish");
  }

  /** Fresh topics named {@code <prefix>-<topic>} and a job config that uses them. */
  private static JobConfig isolatedJob(
      String prefix, int eventPartitions, Map<String, String> extra) {
    Map<String, String> settings = new java.util.HashMap<>();
    settings.put("bootstrap.servers", kafka.bootstrapServers());
    settings.put("schema.registry.url", registry.url());
    settings.put("starting.offsets", "earliest");
    settings.put("transaction.timeout", "60s");
    settings.put("group.id", prefix);
    settings.put("transactional.id.prefix", prefix);
    Map<String, String> topics =
        Map.of(
            "events",
            "events",
            "send-commands",
            "send-commands",
            "send-suppressions",
            "send-suppressions",
            "conversions",
            "conversions",
            "journey-events",
            "journey-events",
            "dead-letters",
            "events-dlq",
            "late-events",
            "events-late");
    topics.forEach(
        (key, name) -> {
          kafka.createTopic(prefix + "-" + name, key.equals("events") ? eventPartitions : 2);
          settings.put("topic." + key, prefix + "-" + name);
        });
    kafka.createCompactedTopic(prefix + "-rules", 1);
    kafka.createCompactedTopic(prefix + "-rules-policies", 1);
    kafka.createTopic(prefix + "-rules-rejected", 1);
    settings.put("topic.rules", prefix + "-rules");
    settings.put("topic.policies", prefix + "-rules-policies");
    settings.put("topic.rules-rejected", prefix + "-rules-rejected");
    settings.putAll(extra);
    return JobConfig.of(settings);
  }

  /**
   * Polls until the expected numbers arrived, then two more checkpoint intervals to catch any extra
   * (duplicate) output; fails on timeout.
   */
  private static void readCommitted(
      List<SendCommand> commands,
      List<String> deadLetters,
      int commandCount,
      int deadLetterCount,
      Duration timeout)
      throws Exception {
    readCommitted(
        "send-commands",
        "events-dlq",
        commands,
        deadLetters,
        commandCount,
        deadLetterCount,
        timeout);
  }

  private static void readCommitted(
      String commandTopic,
      String deadLetterTopic,
      List<SendCommand> commands,
      List<String> deadLetters,
      int commandCount,
      int deadLetterCount,
      Duration timeout)
      throws Exception {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("group.id", "it-reader-" + commandTopic);
    p.setProperty("isolation.level", "read_committed");
    p.setProperty("auto.offset.reset", "earliest");
    var schemas =
        new io.beckon.jobs.kafka.WriterSchemas(RegistryClients.create(registry.url(), Map.of()));
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(commandTopic, deadLetterTopic));
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      long settleUntil = Long.MAX_VALUE;
      while (System.currentTimeMillis() < Math.min(deadline, settleUntil)) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.topic().equals(commandTopic)) {
            commands.add(schemas.decode(r.value(), SendCommand.class));
          } else {
            deadLetters.add(
                new String(
                    r.headers().lastHeader(DeadLetterSerializer.REASON_HEADER).value(),
                    StandardCharsets.UTF_8));
          }
        }
        if (settleUntil == Long.MAX_VALUE
            && commands.size() >= commandCount
            && deadLetters.size() >= deadLetterCount) {
          settleUntil = System.currentTimeMillis() + 2_000;
        }
      }
      assertTrue(
          commands.size() >= commandCount && deadLetters.size() >= deadLetterCount,
          "timed out: " + commands.size() + " commands, " + deadLetters.size() + " dead letters");
    }
  }

  static StreamExecutionEnvironment environment() {
    return environment(work);
  }

  /**
   * Parallelism 2, RocksDB with incremental checkpoints under {@code work}, Kryo forbidden, and
   * restarts allowed, so a failure shows up as a restart count instead of ending the job.
   */
  static StreamExecutionEnvironment environment(Path work) {
    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    conf.set(
        CheckpointingOptions.CHECKPOINTS_DIRECTORY, work.resolve("checkpoints").toUri().toString());
    conf.setString("execution.checkpointing.interval", "500ms");
    conf.setString("restart-strategy.type", "fixed-delay");
    conf.setString("restart-strategy.fixed-delay.attempts", "10");
    conf.setString("restart-strategy.fixed-delay.delay", "500ms");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    return env;
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      int schemaId,
      String id,
      String user,
      String type,
      String time,
      String props) {
    producer.send(
        new ProducerRecord<>(
            "events",
            bytes(user),
            WireFormat.encode(schemaId, event(id, user, type, time, props))));
  }

  /** Registers the Event schema under {@code subject} and returns its id. */
  private static int registerEventSchema(String subject) throws Exception {
    return RegistryClients.create(registry.url(), Map.of())
        .register(subject, new AvroSchema(Event.getClassSchema().toString()));
  }

  static Event event(String id, String user, String type, String time, String props) {
    return Event.newBuilder()
        .setEventId(id)
        .setUserId(user)
        .setType(type)
        .setTime(Instant.parse(time))
        .setProperties(props)
        .build();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
