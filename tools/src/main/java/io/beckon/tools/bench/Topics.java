package io.beckon.tools.bench;

import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WriterSchemas;
import io.beckon.schema.SendCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reading the bench's output topics back. */
final class Topics {
  private Topics() {}

  /** Every send command committed to {@code topic} so far ({@code read_committed}). */
  static List<SendCommand> committedCommands(
      String bootstrapServers, String registryUrl, String topic) {
    WriterSchemas schemas = new WriterSchemas(RegistryClients.create(registryUrl, Map.of()));
    List<SendCommand> out = new ArrayList<>();
    readCommitted(
        bootstrapServers,
        topic,
        r -> {
          try {
            out.add(schemas.decode(r.value(), SendCommand.class));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
    return out;
  }

  /** Records committed to {@code topic} so far: a count, for outputs nobody needs to decode. */
  static long count(String bootstrapServers, String topic) {
    long[] n = new long[1];
    readCommitted(bootstrapServers, topic, r -> n[0]++);
    return n[0];
  }

  /** Hands every record of {@code topic} up to its (last stable) end to {@code each}. */
  private static void readCommitted(
      String bootstrapServers, String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, "read_committed")) {
      List<TopicPartition> partitions = partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
      long deadline = System.currentTimeMillis() + 600_000;
      while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("timed out reading " + topic);
        }
        consumer.poll(Duration.ofMillis(200)).forEach(each);
      }
    }
  }

  static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition()))
        .toList();
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
