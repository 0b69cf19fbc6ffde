package io.beckon.jobs.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/** Reads where the rules topic ends, so the job knows when it has loaded every rule. */
public final class RulesTopic {
  private RulesTopic() {}

  /**
   * Partition -> offset of its last record (committed, data records only: transaction markers are
   * never delivered). Partitions with no record are left out.
   */
  public static Map<Integer, Long> lastRecordOffsets(
      String bootstrapServers, String topic, Properties extra) {
    Properties p = new Properties();
    p.putAll(extra);
    p.setProperty("bootstrap.servers", bootstrapServers);
    p.setProperty("isolation.level", "read_committed");
    p.setProperty("enable.auto.commit", "false");
    Map<Integer, Long> last = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<PartitionInfo> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30));
      if (partitions == null || partitions.isEmpty()) {
        throw new IllegalStateException(
            "the rules topic '"
                + topic
                + "' does not exist: create it with cleanup.policy=compact");
      }
      List<TopicPartition> assigned =
          partitions.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
      consumer.assign(assigned);
      consumer.seekToBeginning(assigned);
      Map<TopicPartition, Long> end = consumer.endOffsets(assigned);
      long deadline = System.currentTimeMillis() + 60_000;
      while (assigned.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.currentTimeMillis() > deadline) {
          throw new IllegalStateException("timed out reading the rules topic '" + topic + "'");
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          last.put(r.partition(), r.offset());
        }
      }
    }
    return last;
  }
}
