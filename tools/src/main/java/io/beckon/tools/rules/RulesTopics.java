package io.beckon.tools.rules;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WireFormat;
import io.beckon.schema.PoliciesRecord;
import io.beckon.schema.RuleRecord;
import io.beckon.tools.rules.PublishPlan.Change;
import io.beckon.tools.rules.PublishPlan.Policies;
import io.beckon.tools.rules.PublishPlan.Published;
import io.beckon.tools.rules.PublishPlan.PublishedRule;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The Kafka side of {@code rules publish}: checks that the compacted topics exist, reads their
 * committed state back, and writes a plan in one transaction.
 *
 * <p>The transactional producer is opened (and its transactions initialized) before the state is
 * read: that aborts any transaction a crashed publisher left open, and fences a publisher running
 * at the same time, whose commit then fails instead of overwriting a plan made from older state.
 */
final class RulesTopics implements AutoCloseable {
  static final String TRANSACTIONAL_ID = "beckon-rules-publish";
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final String bootstrapServers;
  private final Properties clientSettings;
  private final String rulesTopic;
  private final String policiesTopic;
  private final SchemaRegistryClient registry;
  private final Map<Integer, Schema> schemas = new HashMap<>();
  private KafkaProducer<byte[], byte[]> producer;

  /**
   * @param clientSettings extra Kafka client settings (security, TLS, SASL), as the job's {@code
   *     kafka.*} keys without the prefix
   * @param registrySettings registry client settings, as the job's {@code
   *     JobConfig#registryProperties()}
   */
  RulesTopics(
      String bootstrapServers,
      String registryUrl,
      String rulesTopic,
      String policiesTopic,
      Properties clientSettings,
      Map<String, String> registrySettings) {
    this.bootstrapServers = bootstrapServers;
    this.clientSettings = clientSettings;
    this.rulesTopic = rulesTopic;
    this.policiesTopic = policiesTopic;
    this.registry = RegistryClients.create(registryUrl, registrySettings);
  }

  /** The user's client settings, then what publishing needs on top of them. */
  private Properties client() {
    Properties p = new Properties();
    p.putAll(clientSettings);
    p.setProperty("bootstrap.servers", bootstrapServers);
    return p;
  }

  /** A problem that ends the command with a message for the user (exit status 1). */
  static final class PublishException extends RuntimeException {
    PublishException(String message) {
      super(message);
    }

    PublishException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Checks that both topics exist; returns warnings for topics that are not compacted (their rules
   * would expire with the retention time).
   */
  List<String> checkTopics() throws InterruptedException {
    List<String> topics = List.of(rulesTopic, policiesTopic);
    List<String> missing = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    try (Admin admin = admin()) {
      for (String topic : topics) {
        try {
          admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs(), MILLISECONDS);
        } catch (ExecutionException e) {
          if (e.getCause() instanceof UnknownTopicOrPartitionException) {
            missing.add(topic);
            continue;
          }
          throw failure("cannot describe topic '" + topic + "'", e.getCause());
        }
      }
      if (!missing.isEmpty()) {
        StringBuilder message = new StringBuilder();
        for (String topic : missing) {
          message
              .append(message.isEmpty() ? "" : "\n")
              .append("topic '")
              .append(topic)
              .append("' does not exist: create it compacted, e.g. kafka-topics.sh")
              .append(" --bootstrap-server ")
              .append(bootstrapServers)
              .append(" --create --topic ")
              .append(topic)
              .append(" --partitions 1 --config cleanup.policy=compact");
        }
        throw new PublishException(message.toString());
      }
      for (String topic : topics) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config;
        try {
          config =
              admin
                  .describeConfigs(List.of(resource))
                  .all()
                  .get(timeoutMs(), MILLISECONDS)
                  .get(resource);
        } catch (ExecutionException e) {
          throw failure("cannot read the configuration of topic '" + topic + "'", e.getCause());
        }
        ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
        if (policy == null
            || policy.value() == null
            || !policy.value().contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
          warnings.add(
              "topic '"
                  + topic
                  + "' has cleanup.policy="
                  + (policy == null ? "?" : policy.value())
                  + ": published records will expire; set cleanup.policy=compact");
        }
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new PublishException("Kafka at " + bootstrapServers + " did not answer in time", e);
    }
    return warnings;
  }

  /**
   * Opens the transactional producer: aborts a transaction left open by an earlier publisher and
   * fences one running now. Call before {@link #read()} so the state read is the latest.
   */
  void openProducer() {
    Properties p = client();
    p.setProperty("transactional.id", TRANSACTIONAL_ID);
    p.setProperty("enable.idempotence", "true");
    p.setProperty("acks", "all");
    p.setProperty("max.block.ms", Long.toString(timeoutMs()));
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
    } catch (KafkaException e) {
      throw failure("cannot start a Kafka transaction", e);
    }
  }

  /**
   * For a dry run, which opens no producer: waits up to {@code max} for a transaction in flight on
   * the topics (a publish committing right now) to complete. Returns false if one is still open, so
   * the plan may not include it.
   */
  boolean awaitNoTransactionInFlight(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (TopicDescription d :
          admin
              .describeTopics(List.of(rulesTopic, policiesTopic))
              .allTopicNames()
              .get(timeoutMs(), MILLISECONDS)
              .values()) {
        d.partitions()
            .forEach(
                p -> latest.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
      }
      while (true) {
        Map<TopicPartition, Long> stable = ends(admin, latest, IsolationLevel.READ_COMMITTED);
        if (stable.equals(ends(admin, latest, IsolationLevel.READ_UNCOMMITTED))) {
          return true;
        }
        if (System.nanoTime() > deadline) {
          return false;
        }
        Thread.sleep(50);
      }
    } catch (ExecutionException e) {
      throw failure("cannot list the topics' offsets", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new PublishException("Kafka at " + bootstrapServers + " did not answer in time", e);
    }
  }

  private static Map<TopicPartition, Long> ends(
      Admin admin, Map<TopicPartition, OffsetSpec> latest, IsolationLevel isolation)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    Map<TopicPartition, Long> ends = new HashMap<>();
    admin
        .listOffsets(latest, new ListOffsetsOptions(isolation))
        .all()
        .get(timeoutMs(), MILLISECONDS)
        .forEach((tp, info) -> ends.put(tp, info.offset()));
    return ends;
  }

  /** The last committed value per key of both topics. */
  Published read() throws Exception {
    Map<String, PublishedRule> rules = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : readTopic(rulesTopic)) {
      String id = key(r);
      if (r.value() == null) {
        rules.put(id, PublishedRule.deleted(id));
      } else {
        RuleRecord rule = decode(r, RuleRecord.class);
        rules.put(
            id,
            PublishedRule.of(
                id, rule.getVersion(), rule.getEnabled(), rule.getFile(), rule.getYaml()));
      }
    }
    Policies policies = Policies.NEVER;
    for (ConsumerRecord<byte[], byte[]> r : readTopic(policiesTopic)) {
      if (!PublishPlan.POLICIES_KEY.equals(key(r))) {
        continue;
      }
      policies =
          r.value() == null
              ? Policies.TOMBSTONE
              : Policies.of(decode(r, PoliciesRecord.class).getYaml());
    }
    return new Published(rules, policies);
  }

  /**
   * Every committed record of a topic, from the beginning up to the end offsets taken when reading
   * starts; no consumer group, nothing committed.
   */
  private List<ConsumerRecord<byte[], byte[]>> readTopic(String topic) {
    Properties p = client();
    p.setProperty("isolation.level", "read_committed");
    p.setProperty("enable.auto.commit", "false");
    p.setProperty("default.api.timeout.ms", Long.toString(timeoutMs()));
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic, TIMEOUT).stream()
              .map(info -> new TopicPartition(topic, info.partition()))
              .toList();
      if (partitions.isEmpty()) {
        throw new PublishException("topic '" + topic + "' has no partitions (does it exist?)");
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      // With read_committed these are the last stable offsets: committed data only.
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, TIMEOUT);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!caughtUp(consumer, end)) {
        if (System.nanoTime() > deadline) {
          throw new PublishException("reading topic '" + topic + "' did not finish in 60 s");
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
      }
    } catch (KafkaException e) {
      throw failure("cannot read topic '" + topic + "'", e);
    }
    return records;
  }

  private static boolean caughtUp(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static String key(ConsumerRecord<byte[], byte[]> r) {
    if (r.key() == null) {
      throw new PublishException(
          r.topic() + " partition " + r.partition() + " offset " + r.offset() + ": no key");
    }
    return new String(r.key(), StandardCharsets.UTF_8);
  }

  private <T extends SpecificRecord> T decode(ConsumerRecord<byte[], byte[]> r, Class<T> type)
      throws Exception {
    try {
      int id = WireFormat.schemaId(r.value());
      Schema writer = schemas.get(id);
      if (writer == null) {
        writer = new Schema.Parser().parse(registry.getSchemaById(id).canonicalString());
        schemas.put(id, writer);
      }
      return WireFormat.decode(r.value(), writer, type);
    } catch (WireFormat.MalformedRecordException e) {
      throw new PublishException(
          r.topic()
              + " partition "
              + r.partition()
              + " offset "
              + r.offset()
              + ": cannot read the published value: "
              + e.getMessage());
    }
  }

  /**
   * Writes every change of the plan in one transaction: rules keyed by id, the policies under
   * {@code policies}, tombstones as null values. All or nothing.
   */
  void write(PublishPlan plan, Instant now) throws Exception {
    if (producer == null) {
      throw new IllegalStateException("openProducer() first");
    }
    long publishedAt = now.toEpochMilli();
    Instant at = Instant.ofEpochMilli(publishedAt);
    List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
    Integer ruleSchemaId = null;
    Integer policiesSchemaId = null;
    for (Change c : plan.changes()) {
      byte[] value = null;
      if (!c.tombstone() && c.policies()) {
        if (policiesSchemaId == null) {
          policiesSchemaId = register(policiesTopic, PoliciesRecord.getClassSchema());
        }
        value = WireFormat.encode(policiesSchemaId, new PoliciesRecord(c.policiesYaml(), at));
      } else if (!c.tombstone()) {
        if (ruleSchemaId == null) {
          ruleSchemaId = register(rulesTopic, RuleRecord.getClassSchema());
        }
        var local = c.local();
        value =
            WireFormat.encode(
                ruleSchemaId,
                new RuleRecord(
                    local.id(), local.version(), local.enabled(), local.file(), local.yaml(), at));
      }
      records.add(
          new ProducerRecord<>(
              c.policies() ? policiesTopic : rulesTopic,
              c.id().getBytes(StandardCharsets.UTF_8),
              value));
    }
    try {
      producer.beginTransaction();
      for (ProducerRecord<byte[], byte[]> r : records) {
        producer.send(r);
      }
      // Flushes; throws if any send failed, and then nothing of the transaction is visible.
      producer.commitTransaction();
    } catch (ProducerFencedException e) {
      throw new PublishException(
          "another rules publish started while this one ran; nothing was written by this one:"
              + " run it again",
          e);
    } catch (KafkaException e) {
      try {
        producer.abortTransaction();
      } catch (KafkaException ignored) {
        // the transaction times out on the broker and is aborted there
      }
      throw failure("writing the changes failed; nothing was written", e);
    }
  }

  private int register(String topic, Schema schema) throws Exception {
    try {
      return RegistryClients.register(
          registry, topic + "-value", new AvroSchema(schema.toString()));
    } catch (Exception e) {
      throw failure("cannot register the schema under subject '" + topic + "-value'", e);
    }
  }

  private Admin admin() {
    Properties p = client();
    p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs()));
    p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(timeoutMs()));
    return Admin.create(p);
  }

  private static long timeoutMs() {
    return TIMEOUT.toMillis();
  }

  private static PublishException failure(String what, Throwable cause) {
    return new PublishException(what + ": " + cause.getMessage(), cause);
  }

  @Override
  public void close() {
    if (producer != null) {
      producer.close(TIMEOUT);
    }
  }
}
