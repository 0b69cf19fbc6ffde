package io.beckon.tools.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.ParsedSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaMetadata;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a real in-process Kafka broker and a real schema registry child process and uses both. */
class EmbeddedInfraTest {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedInfraTest.class);

  private static Path root;
  private static Path kafkaDir;
  private static EmbeddedKafka kafka;
  private static EmbeddedSchemaRegistry registry;

  @BeforeAll
  static void startInfra() throws Exception {
    root = Files.createTempDirectory("embedded-infra-");
    kafkaDir = root.resolve("kafka");

    long t0 = System.nanoTime();
    kafka = EmbeddedKafka.start(kafkaDir);
    long kafkaMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);

    Path apicurioDir = Path.of(System.getProperty("beckon.apicurio.dir", "target/apicurio"));
    Path runnerJar = EmbeddedSchemaRegistry.locateRunnerJar(apicurioDir);
    long t1 = System.nanoTime();
    registry = EmbeddedSchemaRegistry.start(runnerJar, root.resolve("registry"));
    long registryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1);
    LOG.info("Kafka ready in {} ms, schema registry ready in {} ms", kafkaMs, registryMs);
  }

  @AfterAll
  static void stopInfra() {
    if (registry != null) {
      registry.close();
    }
    if (kafka != null) {
      kafka.close();
      assertFalse(Files.exists(kafkaDir), "close() must delete the Kafka data dir");
    }
    EmbeddedKafka.deleteRecursively(root);
  }

  @Test
  void brokerListensOnLoopback() {
    assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());
    assertTrue(registry.url().startsWith("http://127.0.0.1:"), registry.url());
    assertTrue(registry.url().endsWith("/apis/ccompat/v7"), registry.url());
  }

  @Test
  void transactionalProduceIsReadCommitted() throws Exception {
    String topic = "orders-" + UUID.randomUUID();
    kafka.createTopic(topic, 3);

    Properties producerProps = new Properties();
    producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-infra-test-tx");
    producerProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000);
    producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    producerProps.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
      producer.initTransactions();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k1", "aborted"));
      producer.flush();
      producer.abortTransaction();

      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k1", "committed"));
      producer.commitTransaction();
    }

    Properties consumerProps = new Properties();
    consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "embedded-infra-test");
    consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    consumerProps.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (values.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
          values.add(record.value());
        }
      }
      // give an aborted record that slipped through a chance to show up
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
        values.add(record.value());
      }
      consumer.commitSync();
    }
    assertEquals(List.of("committed"), values);
  }

  @Test
  void compactedTopicHasCompactPolicy() throws Exception {
    String topic = "profiles-" + UUID.randomUUID();
    kafka.createCompactedTopic(topic, 2);
    try (Admin admin = kafka.admin()) {
      ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      Map<ConfigResource, Config> configs =
          admin.describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS);
      assertEquals(
          TopicConfig.CLEANUP_POLICY_COMPACT,
          configs.get(resource).get(TopicConfig.CLEANUP_POLICY_CONFIG).value());
      assertEquals(
          2,
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(30, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .size());
    }
  }

  @Test
  void avroSchemaRoundTripsThroughRegistry() throws Exception {
    String schemaJson =
        "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"io.beckon.test\","
            + "\"fields\":[{\"name\":\"id\",\"type\":\"string\"},{\"name\":\"amount\",\"type\":\"long\"}]}";
    AvroSchema schema = new AvroSchema(schemaJson);
    String subject = "orders-" + UUID.randomUUID() + "-value";

    CachedSchemaRegistryClient writer = new CachedSchemaRegistryClient(registry.url(), 16);
    int id = writer.register(subject, schema);

    // a fresh client has nothing cached: the lookups below really go to the registry
    CachedSchemaRegistryClient reader = new CachedSchemaRegistryClient(registry.url(), 16);
    ParsedSchema fetched = reader.getSchemaById(id);
    assertEquals(AvroSchema.TYPE, fetched.schemaType());
    assertEquals(schema.canonicalString(), fetched.canonicalString());
    assertEquals(schema, new AvroSchema(fetched.canonicalString()));

    SchemaMetadata latest = reader.getLatestSchemaMetadata(subject);
    assertEquals(id, latest.getId());
    assertEquals(1, latest.getVersion());
    assertEquals(
        id, writer.register(subject, schema), "re-registering the same schema keeps its id");
  }

  @Test
  void registryFailureCarriesLogTail() {
    Path runnerJar =
        EmbeddedSchemaRegistry.locateRunnerJar(
            Path.of(System.getProperty("beckon.apicurio.dir", "target/apicurio")));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                EmbeddedSchemaRegistry.start(
                    runnerJar,
                    root.resolve("broken-registry"),
                    Duration.ofSeconds(20),
                    List.of("-XX:+NoSuchJvmOption")));
    assertTrue(e.getMessage().contains("NoSuchJvmOption"), e.getMessage());
  }

  @Test
  void refusesNonEmptyKafkaDir() throws Exception {
    Path dir = Files.createDirectories(root.resolve("not-empty"));
    Files.writeString(dir.resolve("keep.txt"), "mine");
    assertThrows(IllegalArgumentException.class, () -> EmbeddedKafka.start(dir));
    assertTrue(Files.exists(dir.resolve("keep.txt")));
  }
}
