package io.beckon.tools.bench;

import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WriterSchemas;
import io.beckon.schema.SendCommand;
import io.beckon.tools.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

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

  private static void readCommitted(
      String bootstrapServers, String topic, Consumer<ConsumerRecord<byte[], byte[]>> each) {
    TopicReader.readToEnd(bootstrapServers, topic, "read_committed", each);
  }

  static List<TopicPartition> partitions(KafkaConsumer<?, ?> consumer, String topic) {
    return TopicReader.partitions(consumer, topic);
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrapServers, String isolation) {
    return TopicReader.consumer(bootstrapServers, isolation);
  }
}
