package io.beckon.jobs;

import io.beckon.engine.event.ReceivedClock;
import io.beckon.jobs.functions.EngineSettings;
import io.beckon.jobs.kafka.AvroRecordSerializer;
import io.beckon.jobs.kafka.DeadLetterSerializer;
import io.beckon.jobs.kafka.EventDecoder;
import io.beckon.jobs.kafka.RuleUpdateDecoder;
import io.beckon.jobs.kafka.RulesTopic;
import io.beckon.jobs.rules.RuleUpdates;
import io.beckon.schema.Conversion;
import io.beckon.schema.Event;
import io.beckon.schema.JourneyEvent;
import io.beckon.schema.RuleRejection;
import io.beckon.schema.SendCommand;
import io.beckon.schema.Suppression;
import io.beckon.schema.internal.Ingested;
import io.beckon.schema.internal.RuleUpdate;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engagement job on Kafka: {@code events} in; {@code send-commands}, {@code send-suppressions},
 * {@code conversions}, {@code journey-events}, {@code events-late} and {@code events-dlq} out,
 * exactly-once. State backend, checkpointing and restart strategy come from the cluster's {@code
 * config.yaml}.
 *
 * <p>Usage: {@code flink run beckon-jobs-job.jar --bootstrap.servers ... --schema.registry.url
 * ...}; rules and policies come from the compacted {@code rules} and {@code policies} topics
 * ({@code beckon rules publish}); see {@link JobConfig#DEFAULTS} for every setting.
 */
public final class EngagementJob {
  private static final Logger LOG = LoggerFactory.getLogger(EngagementJob.class);

  private EngagementJob() {}

  /**
   * The cluster entry point. Before building the job it refuses two mistakes that would otherwise
   * go unnoticed (see {@link StartGuard}): the default transactional id prefix, and a start without
   * a savepoint or checkpoint when the consumer group shows that a previous run had state. The
   * demo, replay and the tests call {@link #attach} directly and skip both checks.
   */
  public static void main(String[] args) throws Exception {
    JobConfig config = JobConfig.fromArgs(args);
    StartGuard.checkTransactionalIdPrefix(config);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Optional<String> restore = StartGuard.restorePath(env.getConfiguration());
    if (restore.isPresent()) {
      LOG.info("Restoring from {}", restore.get());
    } else if (StartGuard.recoveredByCluster(env.getConfiguration())) {
      LOG.info("Fixed job id set: the cluster recovers this job from its own checkpoints");
    } else if (config.allowStartWithoutState()) {
      LOG.warn("Starting without state (allow.start.without.state=true)");
    } else {
      StartGuard.checkState(
          restore,
          false,
          config.get("group.id"),
          config.topic("events"),
          StartGuard.committedOffsets(
              config.bootstrapServers(),
              config.get("group.id"),
              config.topic("events"),
              config.kafkaProperties()));
    }
    LOG.info("Starting with {}", config);
    attach(env, config, rulesToLoad(config));
    env.execute("beckon-engagement");
  }

  /**
   * Adds the Kafka-to-Kafka engagement pipeline to {@code env}, after reading where the rules and
   * policies topics end now ({@link #rulesToLoad}), so the job applies no event before it has
   * loaded every rule published until then. The demo and the tests use this one call.
   */
  public static void attach(StreamExecutionEnvironment env, JobConfig config) {
    attach(env, config, rulesToLoad(config));
  }

  /**
   * Where the rules and policies topics end now, by loading-progress key ({@link
   * RuleUpdates#progressKey}): the offsets the job must have read before it applies events. The one
   * network call of building the job, kept out of {@link #attach(StreamExecutionEnvironment,
   * JobConfig, Map)} so that building the graph stays pure.
   */
  public static Map<String, Long> rulesToLoad(JobConfig config) {
    Map<String, Long> rulesToLoad = new HashMap<>();
    RulesTopic.lastRecordOffsets(
            config.bootstrapServers(), config.topic("rules"), config.kafkaProperties())
        .forEach((p, offset) -> rulesToLoad.put(RuleUpdates.progressKey(false, p), offset));
    RulesTopic.lastRecordOffsets(
            config.bootstrapServers(), config.topic("policies"), config.kafkaProperties())
        .forEach((p, offset) -> rulesToLoad.put(RuleUpdates.progressKey(true, p), offset));
    return rulesToLoad;
  }

  /**
   * Adds the Kafka-to-Kafka engagement pipeline to {@code env}; no I/O.
   *
   * @param rulesToLoad see {@link #rulesToLoad(JobConfig)}
   */
  public static void attach(
      StreamExecutionEnvironment env, JobConfig config, Map<String, Long> rulesToLoad) {
    // No operator of this pipeline changes or keeps a record it passes on, so chained operators
    // may hand records over without Flink's defensive copy (a deep Avro copy per record).
    env.getConfig().enableObjectReuse();
    DataStream<Ingested> ingested =
        env.fromSource(
                eventSource(config), EngagementPipeline.liveWatermarks(config), "Kafka events")
            .uid("kafka-events")
            .name("Kafka events");
    DataStream<RuleUpdate> rules =
        env.fromSource(rulesSource(config), WatermarkStrategy.noWatermarks(), "Kafka rules")
            .setParallelism(1)
            .uid("kafka-rules")
            .name("Kafka rules");
    EngagementPipeline.Decoded decoded = EngagementPipeline.split(ingested);
    EngagementPipeline.Outputs outputs =
        EngagementPipeline.build(
            decoded.events(),
            rules,
            rulesToLoad,
            new EngineSettings(
                config.idleTimerLag(),
                config.profileRetention(),
                config.topic("events"),
                config.cachedUsers(),
                EngineSettings.FaultInjector.NONE));

    outputs
        .sendCommands()
        .sinkTo(
            sink(
                config,
                "sends",
                avro(
                    config, "send-commands", SendCommand.getClassSchema(), SendCommand::getUserId)))
        .uid("sink-send-commands")
        .name("Kafka send-commands");
    outputs
        .suppressions()
        .sinkTo(
            sink(
                config,
                "suppressions",
                avro(
                    config,
                    "send-suppressions",
                    Suppression.getClassSchema(),
                    Suppression::getUserId)))
        .uid("sink-send-suppressions")
        .name("Kafka send-suppressions");
    outputs
        .conversions()
        .sinkTo(
            sink(
                config,
                "conversions",
                avro(config, "conversions", Conversion.getClassSchema(), Conversion::getUserId)))
        .uid("sink-conversions")
        .name("Kafka conversions");
    outputs
        .journeyEvents()
        .sinkTo(
            sink(
                config,
                "journeys",
                avro(
                    config,
                    "journey-events",
                    JourneyEvent.getClassSchema(),
                    JourneyEvent::getUserId)))
        .uid("sink-journey-events")
        .name("Kafka journey-events");
    outputs
        .lateEvents()
        .sinkTo(
            sink(
                config,
                "late",
                avro(config, "late-events", Event.getClassSchema(), Event::getUserId)))
        .uid("sink-events-late")
        .name("Kafka events-late");
    outputs
        .ruleRejections()
        .sinkTo(
            sink(
                config,
                "rejected",
                avro(
                    config,
                    "rules-rejected",
                    RuleRejection.getClassSchema(),
                    RuleRejection::getRuleId)))
        .uid("sink-rules-rejected")
        .name("Kafka rules-rejected");
    // Undecodable records and events the engine found over a per-user limit: one dead-letter sink.
    decoded
        .deadLetters()
        .union(outputs.quarantined(), outputs.rejectedEvents())
        .sinkTo(
            sink(
                config,
                "dlq",
                new DeadLetterSerializer(config.topic("dead-letters"), deadLetterMaxBytes(config))))
        .uid("sink-events-dlq")
        .name("Kafka events-dlq");
  }

  /**
   * The largest dead letter the sink writes: {@code dead.letter.max.bytes}, lowered to the
   * producer's {@code max.request.size} when that is set lower, so that a dead letter never fails
   * the sink.
   */
  static int deadLetterMaxBytes(JobConfig config) {
    int max = Integer.parseInt(config.get("dead.letter.max.bytes"));
    String request = config.kafkaProperties().getProperty("max.request.size");
    return request == null ? max : Math.min(max, Integer.parseInt(request));
  }

  /**
   * The compacted rules and policies topics, always from their beginning (or the checkpoint): every
   * rule counts, and the policies in force are the last record of theirs.
   */
  static KafkaSource<RuleUpdate> rulesSource(JobConfig config) {
    KafkaSourceBuilder<RuleUpdate> builder =
        KafkaSource.<RuleUpdate>builder()
            .setBootstrapServers(config.bootstrapServers())
            .setTopics(config.topic("rules"), config.topic("policies"))
            .setGroupId(config.get("group.id") + "-rules")
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setDeserializer(
                new RuleUpdateDecoder(
                    config.registryUrl(), config.registryProperties(), config.topic("policies")))
            .setProperties(config.kafkaProperties())
            .setProperty("isolation.level", "read_committed")
            .setProperty("commit.offsets.on.checkpoint", "false");
    if (config.bounded()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  static KafkaSource<Ingested> eventSource(JobConfig config) {
    KafkaSourceBuilder<Ingested> builder =
        KafkaSource.<Ingested>builder()
            .setBootstrapServers(config.bootstrapServers())
            .setTopics(config.topic("events"))
            .setGroupId(config.get("group.id"))
            .setStartingOffsets(startingOffsets(config.get("starting.offsets")))
            .setDeserializer(
                new EventDecoder(
                    config.registryUrl(),
                    config.registryProperties(),
                    new ReceivedClock(config.maxClockSkew().toMillis())))
            .setProperties(config.kafkaProperties())
            // Events written in a producer's transaction count only once it commits; an aborted
            // transaction's events must never reach a profile or fire a rule.
            .setProperty("isolation.level", "read_committed")
            // Offsets for the exactly-once chain live in checkpoints; committing them is for lag
            // monitoring.
            .setProperty("commit.offsets.on.checkpoint", "true");
    if (config.bounded()) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  private static OffsetsInitializer startingOffsets(String setting) {
    return switch (setting) {
      case "earliest" -> OffsetsInitializer.earliest();
      case "latest" -> OffsetsInitializer.latest();
      case "committed-or-earliest" ->
          OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      default ->
          throw new IllegalArgumentException(
              "starting.offsets must be earliest, latest or committed-or-earliest, not '"
                  + setting
                  + "'");
    };
  }

  private static <T extends SpecificRecord> AvroRecordSerializer<T> avro(
      JobConfig config,
      String topicName,
      org.apache.avro.Schema schema,
      AvroRecordSerializer.KeyOf<T> key) {
    return new AvroRecordSerializer<>(
        config.topic(topicName), config.registryUrl(), config.registryProperties(), schema, key);
  }

  /**
   * A Kafka sink, exactly-once unless {@code delivery.guarantee} says otherwise: visible to
   * read_committed consumers after each checkpoint.
   */
  private static <T> KafkaSink<T> sink(
      JobConfig config, String name, KafkaRecordSerializationSchema<T> serializer) {
    Properties producer = config.kafkaProperties();
    producer.setProperty(
        "transaction.timeout.ms",
        Long.toString(
            io.beckon.engine.time.Durations.parseMillis(config.get("transaction.timeout"))));
    return KafkaSink.<T>builder()
        .setBootstrapServers(config.bootstrapServers())
        .setKafkaProducerConfig(producer)
        .setRecordSerializer(serializer)
        .setDeliveryGuarantee(config.deliveryGuarantee())
        .setTransactionalIdPrefix(config.get("transactional.id.prefix") + "-" + name)
        .build();
  }
}
