package io.beckon.tools.bench;

import io.beckon.schema.Event;
import io.beckon.tools.demo.TrafficModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Live traffic in real time (event time = now) against a running engagement job, and the delay from
 * an event's arrival to the send command it triggers.
 *
 * <p>The background traffic is the demo's mix (sessions, carts, purchases, trips) of users the job
 * already knows, re-timed to now. Every {@code probeEvery}-th event is a probe: the first {@code
 * app_opened} of a new user, which the example rule {@code welcome-first-open} (an {@code event}
 * trigger without delay) answers with one command, keyed by that user. Arrival is the probe's Kafka
 * record timestamp (set by this producer when it sends); "written" is the command's Kafka record
 * timestamp (Beckon's producer stamps its write time); both come from this JVM's clock.
 */
final class LatencyProbe {
  static final String PROBE_PREFIX = "probe-";
  private static final String PROBE_PROPERTIES =
      "{\"platform\":\"ios\",\"app_version\":\"3.2.0\",\"locale\":\"en-GB\","
          + "\"timezone\":\"Europe/Warsaw\"}";

  private final String bootstrapServers;
  private final String eventsTopic;
  private final BenchData.Encoder encoder;
  private final double rate;
  private final int probeEvery;
  private final List<Event> background;
  private final KafkaProducer<byte[], byte[]> producer;
  private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
  private int backgroundIndex;
  private long sent;

  /** Percentiles of one kind of delay, in milliseconds. */
  record Percentiles(long p50, long p99, long max, int samples, int missing) {
    static Percentiles of(List<Long> values, int missing) {
      long[] v = values.stream().mapToLong(Long::longValue).sorted().toArray();
      if (v.length == 0) {
        return new Percentiles(-1, -1, -1, 0, missing);
      }
      return new Percentiles(rank(v, 0.50), rank(v, 0.99), v[v.length - 1], v.length, missing);
    }

    private static long rank(long[] sorted, double q) {
      return sorted[(int) Math.max(0, Math.ceil(q * sorted.length) - 1)];
    }
  }

  /** The exactly-once phase: extra delay of read_committed, and arrival to committed visibility. */
  record Visibility(Percentiles extra, Percentiles visibleAfterArrival) {}

  /**
   * @param rate events per second, probes included
   * @param probeEvery one probe in this many events
   * @param knownUsers the background traffic's users ({@code u-0} ...), known to the job
   */
  LatencyProbe(
      String bootstrapServers,
      String eventsTopic,
      int schemaId,
      double rate,
      int probeEvery,
      int knownUsers) {
    this.bootstrapServers = bootstrapServers;
    this.eventsTopic = eventsTopic;
    this.encoder = new BenchData.Encoder(schemaId);
    this.rate = rate;
    this.probeEvery = probeEvery;
    this.background = new TrafficModel(7, Math.max(1, knownUsers)).generate();
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrapServers);
    p.setProperty("linger.ms", "0");
    this.producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Steady traffic: a warm-up of at least {@code warmUp} and until a first probe was answered, then
   * {@code measure} of probes, then {@code tail} more background traffic so the last probes are
   * released by traffic (not by the idle lag); returns arrival to command written.
   */
  Percentiles steady(
      String commandsTopic, Duration warmUp, Duration measure, Duration tail, Duration timeout)
      throws Exception {
    try (Watcher watcher = new Watcher(commandsTopic, "read_uncommitted")) {
      warmUp(warmUp, "w", watcher);
      Map<String, Long> probes = new ConcurrentHashMap<>();
      run(measure, "m", probes, () -> true);
      run(tail, null, null, () -> true);
      watcher.awaitAll(probes.keySet(), timeout);
      List<Long> latencies = new ArrayList<>();
      probes.forEach(
          (user, arrival) -> {
            long[] seen = watcher.seen.get(user);
            if (seen != null) {
              latencies.add(seen[0] - arrival);
            }
          });
      return Percentiles.of(latencies, probes.size() - latencies.size());
    }
  }

  /**
   * Single probes in an otherwise silent system: waits {@code silence} first (so every buffered
   * event has been applied), then sends one probe at a time and waits for its command.
   */
  Percentiles quiet(String commandsTopic, int count, Duration silence, Duration timeout)
      throws Exception {
    Thread.sleep(silence.toMillis());
    List<Long> latencies = new ArrayList<>();
    int missing = 0;
    try (Watcher watcher = new Watcher(commandsTopic, "read_uncommitted")) {
      for (int i = 0; i < count; i++) {
        String user = PROBE_PREFIX + "q-" + i;
        long arrival = send(user, "app_opened", PROBE_PROPERTIES);
        producer.flush();
        if (watcher.awaitAll(List.of(user), timeout)) {
          latencies.add(watcher.seen.get(user)[0] - arrival);
        } else {
          missing++;
        }
        Thread.sleep(1_000);
      }
    }
    return Percentiles.of(latencies, missing);
  }

  /**
   * Steady traffic against an exactly-once job, watched by a read_uncommitted and a read_committed
   * consumer: how much later the committed reader receives each probe's command, and how long after
   * the probe's arrival it does.
   */
  Visibility visibility(
      String commandsTopic, Duration warmUp, Duration measure, Duration tail, Duration timeout)
      throws Exception {
    try (Watcher uncommitted = new Watcher(commandsTopic, "read_uncommitted");
        Watcher committed = new Watcher(commandsTopic, "read_committed")) {
      warmUp(warmUp, "v", committed);
      Map<String, Long> probes = new ConcurrentHashMap<>();
      run(measure, "e", probes, () -> true);
      run(tail, null, null, () -> true);
      committed.awaitAll(probes.keySet(), timeout);
      uncommitted.awaitAll(probes.keySet(), Duration.ofSeconds(5));
      List<Long> extra = new ArrayList<>();
      List<Long> visible = new ArrayList<>();
      probes.forEach(
          (user, arrival) -> {
            long[] c = committed.seen.get(user);
            long[] u = uncommitted.seen.get(user);
            if (c != null && u != null) {
              extra.add(Math.max(0, c[1] - u[1]));
              visible.add(c[1] - arrival);
            }
          });
      int missing = probes.size() - extra.size();
      return new Visibility(Percentiles.of(extra, missing), Percentiles.of(visible, missing));
    }
  }

  private void warmUp(Duration minimum, String phase, Watcher watcher) throws Exception {
    long hardDeadline = System.currentTimeMillis() + Duration.ofMinutes(15).toMillis();
    String prefix = PROBE_PREFIX + phase + "-";
    run(
        minimum,
        phase,
        null,
        () -> {
          if (System.currentTimeMillis() > hardDeadline) {
            throw new IllegalStateException("no probe answered within 15 min of warm-up");
          }
          return watcher.seen.keySet().stream().anyMatch(k -> k.startsWith(prefix));
        });
  }

  /**
   * Sends traffic at the rate for at least {@code duration} and until {@code done}; with a phase,
   * every {@code probeEvery}-th event is a probe named after it (recorded in {@code probes}).
   */
  private void run(Duration duration, String phase, Map<String, Long> probes, BooleanSupplier done)
      throws Exception {
    long start = System.currentTimeMillis();
    long end = start + duration.toMillis();
    long sentHere = 0;
    while (true) {
      long now = System.currentTimeMillis();
      if (now >= end && done.getAsBoolean()) {
        break;
      }
      long due = (long) ((now - start) * rate / 1000.0);
      while (sentHere < due) {
        sentHere++;
        sent++;
        if (phase != null && sent % probeEvery == 0) {
          String user = PROBE_PREFIX + phase + "-" + sent;
          long arrival = send(user, "app_opened", PROBE_PROPERTIES);
          if (probes != null) {
            probes.put(user, arrival);
          }
        } else {
          Event e = background.get(backgroundIndex++ % background.size());
          send(e.getUserId(), e.getType(), e.getProperties());
        }
      }
      if (sendFailure.get() != null) {
        throw new IllegalStateException("live traffic failed", sendFailure.get());
      }
      Thread.sleep(5);
    }
    producer.flush();
  }

  /** Sends one event with event time and record timestamp now; returns that time. */
  private long send(String user, String type, String properties) throws IOException {
    long now = System.currentTimeMillis();
    Event event =
        Event.newBuilder()
            .setEventId("live-" + sent + "-" + user)
            .setUserId(user)
            .setType(type)
            .setTime(Instant.ofEpochMilli(now))
            .setProperties(properties)
            .build();
    producer.send(
        new ProducerRecord<>(
            eventsTopic, null, now, user.getBytes(StandardCharsets.UTF_8), encoder.encode(event)),
        (meta, e) -> {
          if (e != null) {
            sendFailure.compareAndSet(null, e);
          }
        });
    return now;
  }

  void close() {
    producer.close();
  }

  /**
   * Follows a commands topic from its current end and remembers, for each probe user, the first
   * command's record timestamp and when this consumer received it.
   */
  private final class Watcher implements AutoCloseable {
    final Map<String, long[]> seen = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean stop;
    private final AtomicReference<Exception> failure = new AtomicReference<>();

    Watcher(String topic, String isolation) throws InterruptedException {
      KafkaConsumer<byte[], byte[]> consumer = Topics.consumer(bootstrapServers, isolation);
      List<TopicPartition> partitions = Topics.partitions(consumer, topic);
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position); // fix the start before any probe is sent
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (!stop) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
                      long receivedAt = System.currentTimeMillis();
                      String key = new String(r.key(), StandardCharsets.UTF_8);
                      if (key.startsWith(PROBE_PREFIX)) {
                        seen.putIfAbsent(key, new long[] {r.timestamp(), receivedAt});
                      }
                    }
                  }
                } catch (Exception e) {
                  failure.set(e);
                }
              },
              "bench-watch-" + topic + "-" + isolation);
      thread.setDaemon(true);
      thread.start();
    }

    /** True when every user's command was seen before the timeout. */
    boolean awaitAll(java.util.Collection<String> users, Duration timeout)
        throws InterruptedException {
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      while (System.currentTimeMillis() < deadline) {
        if (failure.get() != null) {
          throw new IllegalStateException("watching commands failed", failure.get());
        }
        if (seen.keySet().containsAll(users)) {
          return true;
        }
        Thread.sleep(20);
      }
      return false;
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.join(5_000);
    }
  }

  static String describe(Percentiles p) {
    return p.samples() == 0
        ? "no samples"
        : String.format(
            java.util.Locale.ROOT,
            "p50 %,d ms, p99 %,d ms, max %,d ms (%d samples%s)",
            p.p50(),
            p.p99(),
            p.max(),
            p.samples(),
            p.missing() > 0 ? ", " + p.missing() + " missing" : "");
  }
}
