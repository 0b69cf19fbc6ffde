package io.beckon.tools.demo;

import io.beckon.engine.core.JsonViews;
import io.beckon.jobs.kafka.DeadLetterSerializer;
import io.beckon.jobs.kafka.RegistryClients;
import io.beckon.jobs.kafka.WriterSchemas;
import io.beckon.schema.Conversion;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.tools.report.JourneySummary;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's output topics as a delivery worker would ({@code read_committed}, schemas from
 * the registry) and keeps the demo's tallies.
 */
final class OutputWatcher implements AutoCloseable {
  final Map<String, Long> sendsByRule = new TreeMap<>();
  final Map<String, Long> suppressionsByReason = new TreeMap<>();
  final Map<String, Long> deadLettersByReason = new TreeMap<>();

  /** The JSON views as read, for the report at the end of the demo (guarded by this). */
  final List<String> commandLines = new ArrayList<>();

  final List<String> suppressionLines = new ArrayList<>();
  final List<String> conversionLines = new ArrayList<>();
  final AtomicLong conversions = new AtomicLong();

  /** Journey events by journey, type, step and reason (guarded by this). */
  final JourneySummary journeys = new JourneySummary();

  final AtomicLong journeyEvents = new AtomicLong();

  /** Commands whose send_after is later than their fire_time: held by quiet hours. */
  final AtomicLong deferred = new AtomicLong();

  final AtomicLong sends = new AtomicLong();
  final AtomicLong suppressions = new AtomicLong();
  final AtomicLong deadLetters = new AtomicLong();
  final AtomicLong late = new AtomicLong();
  final AtomicLong lastOutputAt = new AtomicLong(System.currentTimeMillis());

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final WriterSchemas schemas;
  private final Map<String, String> topics;
  private final Consumer<String> commandPrinter;
  private final Thread thread;
  private volatile boolean running = true;

  /**
   * @param topics role ("sends", "suppressions", "conversions", "journeys", "dlq", "late") -> topic
   *     name
   */
  OutputWatcher(
      String bootstrap,
      String registryUrl,
      Map<String, String> topics,
      Consumer<String> commandPrinter) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrap);
    p.setProperty("group.id", "beckon-demo-watcher");
    p.setProperty("isolation.level", "read_committed");
    p.setProperty("auto.offset.reset", "earliest");
    p.setProperty("enable.auto.commit", "false");
    this.consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    this.schemas = new WriterSchemas(RegistryClients.create(registryUrl, Map.of()));
    this.topics = topics;
    this.commandPrinter = commandPrinter;
    this.thread = new Thread(this::loop, "beckon-demo-output-watcher");
    this.thread.setDaemon(true);
  }

  void start() {
    consumer.subscribe(List.copyOf(topics.values()));
    thread.start();
  }

  private void loop() {
    while (running) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        lastOutputAt.set(System.currentTimeMillis());
        try {
          handle(r);
        } catch (Exception e) {
          System.err.println(
              "demo: cannot read " + r.topic() + "@" + r.offset() + ": " + e.getMessage());
        }
      }
    }
  }

  private void handle(ConsumerRecord<byte[], byte[]> r) throws Exception {
    if (r.topic().equals(topics.get("sends"))) {
      SendCommand c = schemas.decode(r.value(), SendCommand.class);
      sends.incrementAndGet();
      if (c.getSendAfter().isAfter(c.getFireTime())) {
        deferred.incrementAndGet();
      }
      String json = JsonViews.of(c);
      synchronized (this) {
        sendsByRule.merge(c.getRuleId() + " v" + c.getRuleVersion(), 1L, Long::sum);
        commandLines.add(json);
      }
      commandPrinter.accept(json);
    } else if (r.topic().equals(topics.get("suppressions"))) {
      Suppression s = schemas.decode(r.value(), Suppression.class);
      suppressions.incrementAndGet();
      synchronized (this) {
        suppressionsByReason.merge(s.getRuleId() + ": " + s.getReason(), 1L, Long::sum);
        suppressionLines.add(JsonViews.of(s));
      }
    } else if (r.topic().equals(topics.get("conversions"))) {
      Conversion c = schemas.decode(r.value(), Conversion.class);
      conversions.incrementAndGet();
      synchronized (this) {
        conversionLines.add(JsonViews.of(c));
      }
    } else if (r.topic().equals(topics.get("journeys"))) {
      JourneyEvent e = schemas.decode(r.value(), JourneyEvent.class);
      journeyEvents.incrementAndGet();
      synchronized (this) {
        journeys.add(e);
      }
    } else if (r.topic().equals(topics.get("dlq"))) {
      var header = r.headers().lastHeader(DeadLetterSerializer.REASON_HEADER);
      String reason = header == null ? "?" : new String(header.value(), StandardCharsets.UTF_8);
      deadLetters.incrementAndGet();
      synchronized (this) {
        deadLettersByReason.merge(reason, 1L, Long::sum);
      }
    } else {
      late.incrementAndGet();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(5_000);
    consumer.close();
  }
}
