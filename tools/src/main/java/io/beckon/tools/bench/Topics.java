package io.beckon.tools.bench;

import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WriterSchemas;
import io.beckon.schema.SendCommand;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reading the bench's output topics back. */
final class Topics {
  private Topics() {}

  /** Every send command committed to {@code topic} so far ({@code read_committed}). */
  static List<SendCommand> committedCommands(
      String bootstrapServers, String registryUrl, String topic) throws IOException {
    WriterSchemas schemas = new WriterSchemas(RegistryClients.create(registryUrl, Map.of()));
    List<SendCommand> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, "read_committed")) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.currentTimeMillis() + 600_000;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("timed out reading " + topic);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(schemas.decode(r.value(), SendCommand.class));
        }
      }
    }
    return out;
  }

  /** Records on {@code topic} up to its end: a count, for outputs nobody needs to decode. */
  static long count(String bootstrapServers, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, "read_committed")) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long n = 0;
      long deadline = System.currentTimeMillis() + 600_000;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("timed out reading " + topic);
        }
        n += consumer.poll(Duration.ofMillis(200)).count();
      }
      return n;
    }
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, String isolation) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrapServers);
    p.setProperty("isolation.level", isolation);
    p.setProperty("enable.auto.commit", "false");
    p.setProperty("max.poll.records", "5000");
    p.setProperty("fetch.max.wait.ms", "10");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
