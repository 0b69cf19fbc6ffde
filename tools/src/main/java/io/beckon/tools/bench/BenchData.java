package io.beckon.tools.bench;

import io.beckon.engine.time.Durations;
import io.beckon.schema.Event;
import io.beckon.tools.demo.TrafficModel;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Preloads the events topic with the demo's simulated traffic ({@link TrafficModel}) for any number
 * of users, in the wire format, keyed by user id, in global event-time order (so each user's events
 * are in event-time order on their partition, and none is late for the jobs).
 *
 * <p>Users are simulated one at a time and their encoded events spread into one file per simulated
 * day; each day is then sorted in memory and produced. Memory is one day of events, not the run.
 */
final class BenchData {
  private static final long DAY = Durations.DAY;

  /** What was written. */
  record Preloaded(
      long events, int users, long bytes, double seconds, Map<TopicPartition, Long> endOffsets) {}

  private BenchData() {}

  static Preloaded preload(
      String bootstrapServers, String topic, int schemaId, int users, Path work)
      throws IOException {
    long started = System.nanoTime();
    Path dir = Files.createDirectories(work.resolve("preload"));
    int days = (int) (TrafficModel.SPAN / DAY) + 3;
    DataOutputStream[] buckets = new DataOutputStream[days];
    int[] counts = new int[days];
    for (int d = 0; d < days; d++) {
      buckets[d] =
          new DataOutputStream(
              new BufferedOutputStream(Files.newOutputStream(dir.resolve("day-" + d)), 1 << 16));
    }
    Encoder encoder = new Encoder(schemaId);
    new TrafficModel(42, users)
        .forEachUser(
            events -> {
              for (Event e : events) {
                long time = e.getTime().toEpochMilli();
                int day = (int) Math.min(days - 1, Math.max(0, (time - TrafficModel.START) / DAY));
                try {
                  byte[] key = e.getUserId().getBytes(StandardCharsets.UTF_8);
                  byte[] value = encoder.encode(e);
                  DataOutputStream out = buckets[day];
                  out.writeLong(time);
                  out.writeShort(key.length);
                  out.write(key);
                  out.writeInt(value.length);
                  out.write(value);
                  counts[day]++;
                } catch (IOException x) {
                  throw new UncheckedIOException(x);
                }
              }
            });
    for (DataOutputStream b : buckets) {
      b.close();
    }

    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrapServers);
    p.setProperty("linger.ms", "20");
    p.setProperty("batch.size", Integer.toString(1 << 20));
    p.setProperty("buffer.memory", Long.toString(128L << 20));
    p.setProperty("compression.type", "lz4");
    p.setProperty("max.request.size", Integer.toString(8 << 20));
    long events = 0;
    long bytes = 0;
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int d = 0; d < days; d++) {
        Path file = dir.resolve("day-" + d);
        Day day = Day.read(file, counts[d]);
        Files.delete(file);
        for (int i : day.order()) {
          producer.send(
              new ProducerRecord<>(topic, day.keys[i], day.values[i]),
              (meta, e) -> {
                if (e != null) {
                  failure.compareAndSet(null, e);
                }
              });
          bytes += day.values[i].length;
          events++;
        }
        if (failure.get() != null) {
          break;
        }
      }
      producer.flush();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("preloading failed", failure.get());
    }
    return new Preloaded(
        events,
        users,
        bytes,
        (System.nanoTime() - started) / 1e9,
        endOffsets(bootstrapServers, topic));
  }

  /** Offset after the last record of every partition of {@code topic}. */
  static Map<TopicPartition, Long> endOffsets(String bootstrapServers, String topic) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrapServers);
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      return new HashMap<>(c.endOffsets(Topics.partitions(c, topic)));
    }
  }

  /** One simulated day's records, read back from its file. */
  private record Day(long[] times, byte[][] keys, byte[][] values) {
    static Day read(Path file, int count) throws IOException {
      long[] times = new long[count];
      byte[][] keys = new byte[count][];
      byte[][] values = new byte[count][];
      try (DataInputStream in =
          new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
        for (int i = 0; i < count; i++) {
          times[i] = in.readLong();
          keys[i] = in.readNBytes(in.readShort());
          values[i] = in.readNBytes(in.readInt());
        }
        if (in.read() != -1) {
          throw new EOFException("more records than counted in " + file);
        }
      }
      return new Day(times, keys, values);
    }

    /** Indexes in event-time order; ties keep the order they were written in (per user order). */
    int[] order() {
      Integer[] idx = new Integer[times.length];
      Arrays.setAll(idx, i -> i);
      Arrays.sort(idx, Comparator.comparingLong(i -> times[i]));
      return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }
  }

  /** Wire-format encoding with one reused writer and buffer, as a producer app would do. */
  static final class Encoder {
    private final SpecificDatumWriter<Event> writer = new SpecificDatumWriter<>(Event.class);
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(256);
    private final byte[] header;
    private BinaryEncoder encoder;

    Encoder(int schemaId) {
      header = ByteBuffer.allocate(5).put((byte) 0).putInt(schemaId).array();
    }

    byte[] encode(Event event) throws IOException {
      buffer.reset();
      buffer.write(header);
      encoder = EncoderFactory.get().directBinaryEncoder(buffer, encoder);
      writer.write(event, encoder);
      encoder.flush();
      return buffer.toByteArray();
    }
  }
}
