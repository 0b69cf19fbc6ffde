package io.beckon.tools;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads a topic from its beginning to its current end, as the bench and the report do. */
public final class TopicReader {
  private TopicReader() {}

  /**
   * Hands every record of {@code topic} up to its current end to {@code each}; with {@code
   * read_committed} the end is the last stable offset, so records of open or aborted transactions
   * are never handed over.
   */
  public static void readToEnd(
      String bootstrapServers,
      String topic,
      String isolation,
      Consumer<ConsumerRecord<byte[], byte[]>> each) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, isolation)) {
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

  /** Whether the cluster has {@code topic}; asking does not create it. */
  public static boolean exists(String bootstrapServers, String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(bootstrapServers, "read_committed")) {
      return consumer.listTopics().containsKey(topic);
    }
  }

  /** Every partition of {@code topic}. */
  public static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition()))
        .toList();
  }

  /**
   * A consumer of raw records without a group (callers assign partitions), which never creates a
   * topic by asking for it.
   */
  public static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, String isolation) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrapServers);
    p.setProperty("isolation.level", isolation);
    p.setProperty("enable.auto.commit", "false");
    p.setProperty("allow.auto.create.topics", "false");
    p.setProperty("max.poll.records", "5000");
    p.setProperty("fetch.max.wait.ms", "10");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }
}
