package io.beckon.tools.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WireFormat;
import io.beckon.schema.PoliciesRecord;
import io.beckon.schema.RuleRecord;
import io.beckon.tools.LocalInfrastructure;
import io.beckon.tools.embedded.EmbeddedKafka;
import io.beckon.tools.embedded.EmbeddedSchemaRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code rules publish} against a real in-process broker and the Apicurio registry: what lands on
 * the compacted topics, read back with {@code read_committed}, and what never does.
 */
class RulesPublishIT {
  static LocalInfrastructure infra;
  static Path work;
  static EmbeddedKafka kafka;
  static EmbeddedSchemaRegistry registry;

  @BeforeAll
  static void startInfrastructure() throws Exception {
    infra = LocalInfrastructure.start("beckon-publish-it");
    work = infra.work;
    kafka = infra.kafka;
    registry = infra.registry;
    kafka.createCompactedTopic("rules", 2);
    kafka.createCompactedTopic("policies", 1);
  }

  @AfterAll
  static void stopInfrastructure() {
    if (infra != null) {
      infra.close();
    }
  }

  @Test
  void publishesTheFolderThenOnlyWhatChangedAndNothingWhenRefused() throws Exception {
    Path dir = Files.createDirectories(work.resolve("repo"));
    Set<String> ids = new TreeSet<>();
    // Five of the example rules, each as its first version; policies come later in this test.
    for (String id :
        List.of(
            "airport-and-store-geofence",
            "cart-abandonment-2h",
            "repurchase-30d",
            "welcome-first-open",
            "winback-7d")) {
      String text = Files.readString(Path.of("..", "rules", id + ".yaml"));
      Files.writeString(
          dir.resolve(id + ".yaml"), text.replaceFirst("(?m)^version: \\d+$", "version: 1"));
      ids.add(id);
    }
    assertEquals(5, ids.size());

    // First publish: every rule added, in one transaction.
    Run run = publish(dir);
    assertEquals(0, run.status, run.text());
    List<ConsumerRecord<byte[], byte[]>> rules = readCommitted("rules");
    assertEquals(5, rules.size());
    assertEquals(ids, rules.stream().map(RulesPublishIT::key).collect(Collectors.toSet()));
    for (ConsumerRecord<byte[], byte[]> r : rules) {
      RuleRecord rule = decode(r, RuleRecord.class);
      assertEquals(key(r), rule.getRuleId());
      assertEquals(1, rule.getVersion());
      assertTrue(rule.getEnabled());
      assertEquals(key(r) + ".yaml", rule.getFile());
      assertEquals(Files.readString(dir.resolve(rule.getFile())), rule.getYaml());
      assertTrue(rule.getPublishedAt().isAfter(Instant.now().minusSeconds(120)));
    }
    assertTrue(readCommitted("policies").isEmpty());
    assertEquals(
        RuleRecord.getClassSchema().getFullName(),
        new Schema.Parser()
            .parse(registryClient().getLatestSchemaMetadata("rules-value").getSchema())
            .getFullName());
    assertTrue(run.out.contains("+ added     cart-abandonment-2h v1 (cart-abandonment-2h.yaml)"));
    assertTrue(run.out.contains("published 5 change(s) to rules"), run.text());

    // An aborted transaction is not published state: were it read, ghost-rule would be deleted.
    abortedWrite("ghost-rule");
    assertEquals(5, readCommitted("rules").size());

    // Again: nothing to do, nothing written (not even an empty transaction's markers).
    Map<TopicPartition, Long> ends = endOffsets();
    run = publish(dir);
    assertEquals(0, run.status, run.text());
    assertEquals(ends, endOffsets());
    assertTrue(run.out.contains("nothing to publish"), run.text());

    // A new version that disables one rule: one record.
    Path winback = dir.resolve("winback-7d.yaml");
    String winbackV1 = Files.readString(winback);
    String winbackV2 = winbackV1.replace("version: 1\n", "version: 2\nenabled: false\n");
    Files.writeString(winback, winbackV2);
    run = publish(dir);
    assertEquals(0, run.status, run.text());
    rules = readCommitted("rules");
    assertEquals(6, rules.size());
    RuleRecord last = decode(lastOf(rules, "winback-7d"), RuleRecord.class);
    assertEquals(2, last.getVersion());
    assertEquals(false, last.getEnabled());
    assertEquals(winbackV2, last.getYaml());
    assertTrue(run.out.contains("~ disabled  winback-7d v1 -> v2"), run.text());
    assertTrue(run.out.contains("published 1 change(s) to rules"), run.text());

    // A version that goes down, or a change without a new version: refused, nothing written.
    ends = endOffsets();
    Files.writeString(winback, winbackV1);
    run = publish(dir);
    assertEquals(1, run.status, run.text());
    assertEquals(ends, endOffsets());
    assertTrue(
        run.out.contains(
            "winback-7d.yaml: version 1 is lower than the published version 2 of rule winback-7d"),
        run.text());
    Files.writeString(winback, winbackV2 + "# an edit without a new version\n");
    Files.writeString(
        dir.resolve("brand-new.yaml"),
        Files.readString(winback).replace("id: winback-7d", "id: brand-new"));
    run = publish(dir);
    assertEquals(1, run.status, run.text());
    assertEquals(ends, endOffsets());
    assertTrue(run.out.contains("rule winback-7d changed but its version is still 2"), run.text());
    Files.writeString(winback, winbackV2);
    Files.delete(dir.resolve("brand-new.yaml"));

    // An invalid file: nothing written either.
    Files.writeString(dir.resolve("broken.yaml"), "id: broken\nversion: 1\n");
    run = publish(dir);
    assertEquals(1, run.status, run.text());
    assertEquals(ends, endOffsets());
    Files.delete(dir.resolve("broken.yaml"));

    // A removed file: a tombstone.
    Files.delete(dir.resolve("repurchase-30d.yaml"));
    run = publish(dir);
    assertEquals(0, run.status, run.text());
    rules = readCommitted("rules");
    assertEquals(7, rules.size());
    assertNull(lastOf(rules, "repurchase-30d").value());
    assertTrue(run.out.contains("- deleted   repurchase-30d (tombstone)"), run.text());

    // A dry run prints the plan and writes nothing.
    String policies =
        "default_timezone: Europe/Warsaw\nquiet_hours: {start: \"22:00\", end: \"08:00\"}\n";
    Files.writeString(dir.resolve("policies.yaml"), policies);
    Path welcome = dir.resolve("welcome-first-open.yaml");
    Files.writeString(welcome, Files.readString(welcome).replace("version: 1\n", "version: 2\n"));
    ends = endOffsets();
    run = publish(dir, "--dry-run");
    assertEquals(0, run.status, run.text());
    assertEquals(ends, endOffsets());
    assertTrue(run.out.contains("~ updated   welcome-first-open v1 -> v2"), run.text());
    assertTrue(run.out.contains("+ added     policies (policies.yaml)"), run.text());
    assertTrue(run.out.contains("dry run: nothing written"), run.text());

    // The same for real: both topics in one transaction. The old tombstone stays harmless.
    run = publish(dir);
    assertEquals(0, run.status, run.text());
    rules = readCommitted("rules");
    assertEquals(8, rules.size());
    assertEquals(2, decode(lastOf(rules, "welcome-first-open"), RuleRecord.class).getVersion());
    List<ConsumerRecord<byte[], byte[]>> published = readCommitted("policies");
    assertEquals(1, published.size());
    assertEquals("policies", key(published.get(0)));
    assertEquals(policies, decode(published.get(0), PoliciesRecord.class).getYaml());
    assertTrue(run.out.contains("published 1 change(s) to rules and 1 to policies"), run.text());

    ends = endOffsets();
    run = publish(dir);
    assertEquals(0, run.status, run.text());
    assertEquals(ends, endOffsets());

    // Removing policies.yaml deletes the policies.
    Files.delete(dir.resolve("policies.yaml"));
    run = publish(dir);
    assertEquals(0, run.status, run.text());
    published = readCommitted("policies");
    assertEquals(2, published.size());
    assertNull(published.get(1).value());
  }

  @Test
  void aMissingTopicIsReportedWithHowToCreateIt() throws Exception {
    Path dir = Files.createDirectories(work.resolve("missing-topic"));
    Files.copy(Path.of("..", "rules", "winback-7d.yaml"), dir.resolve("winback-7d.yaml"));
    Run run = publish(dir, "--topic", "no-such-rules");
    assertEquals(1, run.status, run.text());
    assertTrue(run.err.contains("topic 'no-such-rules' does not exist"), run.text());
    assertTrue(run.err.contains("cleanup.policy=compact"), run.text());
  }

  @Test
  void clientSettingsComeFromTheJobsPropertiesFile() throws Exception {
    Path dir = Files.createDirectories(work.resolve("with-config"));
    Files.copy(Path.of("..", "rules", "winback-7d.yaml"), dir.resolve("winback-7d.yaml"));
    Path typo =
        Files.writeString(
            work.resolve("typo.properties"),
            "kafka.security.protocol=PLAINTEXT\nsecurity.protocol=SSL\n");
    Run refused = publish(dir, "--config", typo.toString(), "--dry-run");
    assertEquals(2, refused.status, refused.text());
    assertTrue(refused.err.contains("unknown setting 'security.protocol'"), refused.text());

    // A protocol the broker does not speak: the setting reaches the client, which cannot connect.
    Path wrong =
        Files.writeString(
            work.resolve("wrong.properties"),
            "kafka.security.protocol=SASL_PLAINTEXT\nkafka.sasl.mechanism=PLAIN\nkafka.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p\";\n");
    Run failed = publish(dir, "--config", wrong.toString(), "--dry-run");
    assertEquals(1, failed.status, failed.text());

    Path right =
        Files.writeString(
            work.resolve("right.properties"),
            "kafka.security.protocol=PLAINTEXT\nkafka.client.id=rules-publish-it\n");
    Run ok = publish(dir, "--config", right.toString(), "--dry-run");
    assertEquals(0, ok.status, ok.text());
  }

  private record Run(int status, String out, String err) {
    String text() {
      return out + err;
    }
  }

  private static Run publish(Path dir, String... extra) {
    List<String> args = new ArrayList<>();
    args.add(dir.toString());
    args.addAll(
        List.of(
            "--bootstrap-servers", kafka.bootstrapServers(), "--schema-registry", registry.url()));
    args.addAll(List.of(extra));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status;
    try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
      status = PublishCommand.run(args.toArray(String[]::new), o, e);
    }
    return new Run(
        status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Writes a rule record in a transaction that is then aborted. */
  private static void abortedWrite(String id) throws Exception {
    int schemaId =
        RegistryClients.register(
            registryClient(),
            "rules-value",
            new AvroSchema(RuleRecord.getClassSchema().toString()));
    byte[] value =
        WireFormat.encode(
            schemaId, new RuleRecord(id, 1, true, id + ".yaml", "id: " + id + "\n", Instant.now()));
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("transactional.id", "rules-publish-it-aborted");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("rules", id.getBytes(StandardCharsets.UTF_8), value));
      producer.flush();
      producer.abortTransaction();
    }
  }

  /**
   * Waits until no transaction is in flight on the topics: a commit returns before the broker has
   * written the commit markers, and until then read_committed readers stop short of it.
   */
  private static void settle() throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!endOffsets(IsolationLevel.READ_COMMITTED)
        .equals(endOffsets(IsolationLevel.READ_UNCOMMITTED))) {
      assertTrue(System.currentTimeMillis() < deadline, "a transaction stays open");
      Thread.sleep(20);
    }
  }

  /** Every committed record of a topic, partition by partition, in offset order. */
  private static List<ConsumerRecord<byte[], byte[]>> readCommitted(String topic) throws Exception {
    settle();
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("isolation.level", "read_committed");
    p.setProperty("enable.auto.commit", "false");
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.currentTimeMillis() + 30_000;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertTrue(System.currentTimeMillis() < deadline, "reading " + topic + " timed out");
        consumer.poll(Duration.ofMillis(100)).forEach(records::add);
      }
    }
    records.sort(
        Comparator.comparingInt((ConsumerRecord<byte[], byte[]> r) -> r.partition())
            .thenComparingLong(ConsumerRecord::offset));
    return records;
  }

  /** The log end offsets of both topics, uncommitted data and transaction markers included. */
  private static Map<TopicPartition, Long> endOffsets() throws Exception {
    settle();
    return endOffsets(IsolationLevel.READ_UNCOMMITTED);
  }

  private static Map<TopicPartition, Long> endOffsets(IsolationLevel isolation) throws Exception {
    Map<TopicPartition, Long> ends = new HashMap<>();
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (var d :
          admin.describeTopics(List.of("rules", "policies")).allTopicNames().get().values()) {
        d.partitions()
            .forEach(
                tp ->
                    request.put(new TopicPartition(d.name(), tp.partition()), OffsetSpec.latest()));
      }
      admin
          .listOffsets(request, new ListOffsetsOptions(isolation))
          .all()
          .get()
          .forEach((tp, info) -> ends.put(tp, info.offset()));
    }
    return ends;
  }

  private static ConsumerRecord<byte[], byte[]> lastOf(
      List<ConsumerRecord<byte[], byte[]>> records, String key) {
    ConsumerRecord<byte[], byte[]> last = null;
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (key.equals(key(r))) {
        last = r;
      }
    }
    assertTrue(last != null, "no record for " + key);
    return last;
  }

  private static String key(ConsumerRecord<byte[], byte[]> r) {
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  private static SchemaRegistryClient registryClient() {
    return RegistryClients.create(registry.url(), Map.of());
  }

  private static <T extends SpecificRecord> T decode(
      ConsumerRecord<byte[], byte[]> r, Class<T> type) throws Exception {
    Schema writer =
        new Schema.Parser()
            .parse(
                registryClient().getSchemaById(WireFormat.schemaId(r.value())).canonicalString());
    return WireFormat.decode(r.value(), writer, type);
  }
}
