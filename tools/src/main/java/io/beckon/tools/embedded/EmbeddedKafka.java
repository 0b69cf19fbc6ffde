package io.beckon.tools.embedded;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker running inside this JVM, in KRaft combined mode (one process
 * acting as broker and controller). It uses only the production broker artifacts ({@code
 * kafka_2.13} and the jars it depends on), no test kits.
 *
 * <p>Listeners bind to 127.0.0.1 only. The broker is tuned for a single node: internal topics use
 * replication factor 1 and min ISR 1, consumer groups rebalance without the initial delay, auto
 * topic creation is off and transactions may run up to {@value #TRANSACTION_MAX_TIMEOUT_MS} ms.
 * Broker logging goes through SLF4J; this class does not configure logging.
 *
 * <pre>{@code
 * try (EmbeddedKafka kafka = EmbeddedKafka.start(dir)) {
 *     kafka.createTopic("orders", 3);
 *     String bootstrap = kafka.bootstrapServers();
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the broker and deletes the data directory. Note that Kafka's broker,
 * like any Kafka broker, halts the JVM on a fatal metadata fault (for example a failing disk); that
 * is Kafka's own policy and is not overridden here.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** Upper bound accepted for a producer's {@code transaction.timeout.ms}. */
  public static final long TRANSACTION_MAX_TIMEOUT_MS = 3_600_000L;

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final String HOST = "127.0.0.1";
  private static final int NODE_ID = 1;
  private static final String BROKER_LISTENER = "PLAINTEXT";
  private static final String CONTROLLER_LISTENER = "CONTROLLER";
  private static final int PORT_ATTEMPTS = 5;
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final Path dataDir;
  private final KafkaRaftServer server;
  private final String bootstrapServers;
  private final String clusterId;
  private volatile boolean closed;

  private EmbeddedKafka(
      Path dataDir, KafkaRaftServer server, String bootstrapServers, String clusterId) {
    this.dataDir = dataDir;
    this.server = server;
    this.bootstrapServers = bootstrapServers;
    this.clusterId = clusterId;
  }

  /** Starts a broker on free ports, storing its logs under {@code dataDir}. */
  public static EmbeddedKafka start(Path dataDir) {
    return start(dataDir, 0, Map.of());
  }

  /** Starts a broker whose client listener uses {@code port} (0 picks a free one). */
  public static EmbeddedKafka start(Path dataDir, int port) {
    return start(dataDir, port, Map.of());
  }

  /**
   * Starts a broker whose client listener uses {@code port} (0 picks a free one), with extra broker
   * properties that override the defaults set here (listener and directory settings excepted).
   *
   * @param dataDir directory for the broker's data and metadata logs; created if missing, must be
   *     empty or absent, and is deleted by {@link #close()}
   * @param port client (PLAINTEXT) port on 127.0.0.1, or 0 for a free port
   * @param overrides broker properties, e.g. {@code log.retention.ms}
   */
  public static EmbeddedKafka start(Path dataDir, int port, Map<String, String> overrides) {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(overrides, "overrides");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    long startNanos = System.nanoTime();
    Path absDir = dataDir.toAbsolutePath().normalize();
    requireEmptyOrAbsent(absDir);
    RuntimeException last = null;
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      int brokerPort = port == 0 ? freePort() : port;
      int controllerPort = freePort();
      while (controllerPort == brokerPort) {
        controllerPort = freePort();
      }
      try {
        EmbeddedKafka kafka = startOnce(absDir, brokerPort, controllerPort, overrides);
        LOG.info(
            "Embedded Kafka {} ready at {} in {} ms",
            kafka.clusterId,
            kafka.bootstrapServers,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
        return kafka;
      } catch (RuntimeException e) {
        last = e;
        deleteRecursively(absDir);
        // A free port picked above may have been taken by someone else before the broker bound it.
        boolean retry = isBindFailure(e) && (attempt < PORT_ATTEMPTS);
        if (!retry) {
          throw e;
        }
        LOG.warn(
            "Embedded Kafka could not bind its ports (attempt {}), retrying: {}",
            attempt,
            e.toString());
      }
    }
    throw last;
  }

  private static EmbeddedKafka startOnce(
      Path dir, int brokerPort, int controllerPort, Map<String, String> overrides) {
    Path logDir = dir.resolve("kraft-combined-logs");
    try {
      Files.createDirectories(logDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create Kafka data directory " + logDir, e);
    }

    Properties props = brokerProperties(logDir, brokerPort, controllerPort, overrides);
    KafkaConfig config = KafkaConfig.fromProps(props, false);
    String clusterId = Uuid.randomUuid().toString();
    format(config, logDir, clusterId);

    KafkaRaftServer server = new KafkaRaftServer(config, Time.SYSTEM);
    try {
      // Blocks until the controller is up and the broker has registered and been unfenced.
      server.startup();
    } catch (Throwable t) {
      shutdownQuietly(server);
      throw t instanceof RuntimeException re
          ? re
          : new IllegalStateException("Kafka failed to start", t);
    }
    EmbeddedKafka kafka = new EmbeddedKafka(dir, server, HOST + ":" + brokerPort, clusterId);
    try {
      kafka.awaitReady();
    } catch (RuntimeException e) {
      kafka.close();
      throw e;
    }
    return kafka;
  }

  private static void requireEmptyOrAbsent(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("Not a directory: " + dir);
    }
    try (var entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        // refuse rather than format over (and later delete) someone else's files
        throw new IllegalArgumentException("Kafka data directory must be empty or absent: " + dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + dir, e);
    }
  }

  private static Properties brokerProperties(
      Path logDir, int brokerPort, int controllerPort, Map<String, String> overrides) {
    Map<String, String> p = new LinkedHashMap<>();
    // node and quorum: one static voter, this node
    p.put("process.roles", "broker,controller");
    p.put("node.id", Integer.toString(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put(
        "listeners",
        BROKER_LISTENER
            + "://"
            + HOST
            + ":"
            + brokerPort
            + ","
            + CONTROLLER_LISTENER
            + "://"
            + HOST
            + ":"
            + controllerPort);
    p.put("advertised.listeners", BROKER_LISTENER + "://" + HOST + ":" + brokerPort);
    p.put(
        "listener.security.protocol.map",
        BROKER_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    p.put("inter.broker.listener.name", BROKER_LISTENER);
    p.put("log.dirs", logDir.toString());
    p.put("metadata.log.dir", logDir.toString());

    // single node: internal topics with RF 1 / min ISR 1, and few partitions so first use is quick
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "1");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.min.isr", "1");
    p.put("transaction.state.log.num.partitions", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("share.coordinator.state.topic.num.partitions", "1");
    p.put("default.replication.factor", "1");
    p.put("min.insync.replicas", "1");
    p.put("num.partitions", "1");

    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("transaction.max.timeout.ms", Long.toString(TRANSACTION_MAX_TIMEOUT_MS));
    p.put("auto.create.topics.enable", "false");
    p.put("delete.topic.enable", "true");

    // light on a small machine
    p.put("num.network.threads", "2");
    p.put("num.io.threads", "2");
    p.put("background.threads", "2");
    p.put("num.recovery.threads.per.data.dir", "1");
    p.put("num.replica.fetchers", "1");
    p.put("log.cleaner.threads", "1");
    p.put("log.cleaner.dedupe.buffer.size", Integer.toString(2 * 1024 * 1024));
    p.put("log.cleaner.io.buffer.size", Integer.toString(256 * 1024));
    p.put("controlled.shutdown.enable", "true");

    for (Map.Entry<String, String> e : overrides.entrySet()) {
      String key = e.getKey();
      if (key.equals("listeners")
          || key.equals("advertised.listeners")
          || key.equals("log.dirs")
          || key.equals("metadata.log.dir")
          || key.equals("controller.quorum.voters")
          || key.equals("process.roles")
          || key.equals("node.id")) {
        throw new IllegalArgumentException("EmbeddedKafka manages '" + key + "' itself");
      }
      p.put(key, e.getValue());
    }
    Properties props = new Properties();
    props.putAll(p);
    return props;
  }

  private static void format(KafkaConfig config, Path logDir, String clusterId) {
    // The formatter reports to a PrintStream (System.out by default): capture it and log it
    // instead.
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      Formatter formatter =
          new Formatter()
              .setPrintStream(out)
              .setNodeId(config.nodeId())
              .setClusterId(clusterId)
              .setDirectories(List.of(logDir.toString()))
              .setMetadataLogDirectory(logDir.toString())
              .setControllerListenerName(CONTROLLER_LISTENER)
              .setReleaseVersion(MetadataVersion.latestProduction())
              .setUnstableFeatureVersionsEnabled(false)
              .setIgnoreFormatted(false);
      formatter.run();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Formatting Kafka log directory "
              + logDir
              + " failed: "
              + captured.toString(StandardCharsets.UTF_8).strip(),
          e);
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("Formatted {}: {}", logDir, captured.toString(StandardCharsets.UTF_8).strip());
    }
  }

  private void awaitReady() {
    try (Admin admin = admin()) {
      int brokers =
          admin
              .describeCluster()
              .nodes()
              .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .size();
      if (brokers != 1) {
        throw new IllegalStateException("Expected one broker, found " + brokers);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for Kafka", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka did not become ready at " + bootstrapServers, e);
    }
  }

  /** {@code host:port} of the client listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return bootstrapServers;
  }

  /** The cluster id written when the data directory was formatted. */
  public String clusterId() {
    return clusterId;
  }

  /** The directory holding the broker's data; deleted by {@link #close()}. */
  public Path dataDir() {
    return dataDir;
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    Map<String, Object> conf =
        Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            AdminClientConfig.CLIENT_ID_CONFIG,
            "embedded-kafka-admin",
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) ADMIN_TIMEOUT.toMillis(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            (int) ADMIN_TIMEOUT.toMillis());
    return Admin.create(conf);
  }

  /**
   * Creates a topic with {@code partitions} partitions and replication factor 1; waits until it
   * exists.
   */
  public void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  /** Creates a log-compacted topic ({@code cleanup.policy=compact}) with replication factor 1. */
  public void createCompactedTopic(String name, int partitions) {
    createTopic(
        name,
        partitions,
        Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
  }

  /**
   * Creates a topic with the given topic-level configs and replication factor 1; waits until it
   * exists.
   */
  public void createTopic(String name, int partitions, Map<String, String> topicConfigs) {
    Objects.requireNonNull(name, "name");
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1: " + partitions);
    }
    ensureOpen();
    NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(topicConfigs);
    try (Admin admin = admin()) {
      admin.createTopics(List.of(topic)).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      // createTopics returns once the controller has the topic; wait until the broker serves it
      // too.
      long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
      while (true) {
        boolean allLed;
        try {
          var description =
              admin
                  .describeTopics(List.of(name))
                  .allTopicNames()
                  .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                  .get(name);
          allLed =
              description.partitions().size() == partitions
                  && description.partitions().stream()
                      .allMatch(tp -> tp.leader() != null && !tp.leader().isEmpty());
        } catch (ExecutionException e) {
          // The broker may not know the topic yet right after the controller created it.
          if (!(e.getCause()
              instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
            throw e;
          }
          allLed = false;
        }
        if (allLed) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "Topic " + name + " has no leader for all partitions yet");
        }
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while creating topic " + name, e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        throw new IllegalStateException("Topic already exists: " + name, e.getCause());
      }
      throw new IllegalStateException("Creating topic " + name + " failed", e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Creating topic " + name + " timed out", e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("EmbeddedKafka is closed");
    }
  }

  /** Stops the broker (controlled shutdown) and deletes the data directory. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long t0 = System.nanoTime();
    shutdownQuietly(server);
    deleteRecursively(dataDir);
    LOG.info(
        "Embedded Kafka {} stopped in {} ms",
        clusterId,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  private static void shutdownQuietly(KafkaRaftServer server) {
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (Throwable t) {
      LOG.warn("Error while shutting down embedded Kafka", t);
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + HOST, e);
    }
  }

  private static boolean isBindFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof BindException) {
        return true;
      }
      String msg = c.getMessage();
      if (msg != null
          && (msg.contains("Address already in use")
              || msg.contains("Socket server failed to bind"))) {
        return true;
      }
    }
    return false;
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
              if (exc instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE;
              }
              throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      LOG.warn("Could not delete {}: {}", dir, e.toString());
    }
  }
}
