package io.beckon.tools.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WireFormat;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.tools.embedded.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.avro.AvroSchema;
import org.apache.flink.avro.registry.confluent.shaded.io.confluent.kafka.schemaregistry.client.SchemaRegistryClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code beckon report} from topics on a real broker: committed records only, decoded with the
 * writer schema from the registry (the in-memory one here), a missing topic read as empty.
 */
class ReportTopicsIT {
  private static final String REGISTRY = "mock://report-topics-it";

  @Test
  void readsCommittedRecordsAsJsonLines(@TempDir Path dir) throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start(Files.createDirectories(dir.resolve("k")))) {
      kafka.createTopic("it-send-commands", 2);
      kafka.createTopic("it-send-suppressions", 1);
      SchemaRegistryClient registry = RegistryClients.create(REGISTRY, Map.of());
      int commandId =
          RegistryClients.register(
              registry,
              "it-send-commands-value",
              new AvroSchema(SendCommand.getClassSchema().toString()));
      int suppressionId =
          RegistryClients.register(
              registry,
              "it-send-suppressions-value",
              new AvroSchema(Suppression.getClassSchema().toString()));

      try (KafkaProducer<byte[], byte[]> producer = producer(kafka.bootstrapServers())) {
        producer.initTransactions();
        producer.beginTransaction();
        send(producer, "it-send-commands", "u-1", commandId, command("u-1", "a"));
        send(producer, "it-send-commands", "u-2", commandId, command("u-2", "b"));
        send(producer, "it-send-suppressions", "u-3", suppressionId, suppression("u-3"));
        producer.commitTransaction();
        producer.beginTransaction();
        send(producer, "it-send-commands", "u-4", commandId, command("u-4", "a"));
        producer.flush();
        producer.abortTransaction();
      }

      ReportTopics.Lines lines = ReportTopics.read(kafka.bootstrapServers(), REGISTRY, "it-");
      assertEquals(2, lines.commands().size(), "the aborted command is not read");
      assertEquals(1, lines.suppressions().size());
      assertEquals(List.of(), lines.conversions(), "no conversions topic: empty");

      ReportModel model =
          ReportModel.from(lines.commands(), lines.suppressions(), lines.conversions(), null);
      RuleReport promo = model.rule("promo");
      assertEquals(1, promo.group("a").sends());
      assertEquals(1, promo.group("b").sends());
      assertEquals(1, promo.group("holdout").suppressed(Reason.HOLDOUT));
      assertEquals(3, promo.total().fires());
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrap);
    p.setProperty("transactional.id", "report-topics-it");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer,
      String topic,
      String key,
      int schemaId,
      SpecificRecord value) {
    producer.send(
        new ProducerRecord<>(
            topic, key.getBytes(StandardCharsets.UTF_8), WireFormat.encode(schemaId, value)));
  }

  private static SendCommand command(String user, String variant) {
    Instant t = Instant.parse("2026-01-05T10:00:00Z");
    return SendCommand.newBuilder()
        .setSendId("s-" + user)
        .setUserId(user)
        .setRuleId("promo")
        .setRuleVersion(1)
        .setTrigger("cart_abandoned")
        .setFireTime(t)
        .setSendAfter(t)
        .setExpiresAt(t.plusSeconds(86_400))
        .setChannel("push")
        .setAddress("tok")
        .setVariant(variant)
        .setTitle(null)
        .setBody("hi")
        .setVariables("{}")
        .build();
  }

  private static Suppression suppression(String user) {
    return Suppression.newBuilder()
        .setUserId(user)
        .setRuleId("promo")
        .setRuleVersion(1)
        .setTrigger("cart_abandoned")
        .setFireTime(Instant.parse("2026-01-05T11:00:00Z"))
        .setReason("holdout")
        .build();
  }
}
