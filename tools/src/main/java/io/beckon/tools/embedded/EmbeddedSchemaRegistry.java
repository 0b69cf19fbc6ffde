package io.beckon.tools.embedded;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, Confluent-compatible schema registry running as a child process: Apicurio Registry 2.6.x
 * ({@code io.apicurio:apicurio-registry-app:<version>:tar.gz:all}) with its default in-memory
 * storage, serving the Confluent API at {@code /apis/ccompat/v7} on 127.0.0.1.
 *
 * <p>The child runs on the same {@code java} binary as this JVM. Its output goes to {@code
 * registry.log} in the work directory. {@link #close()} stops it (and its descendants); a JVM
 * shutdown hook does the same if the caller forgets. Schemas live in memory only and vanish with
 * the process.
 *
 * <pre>{@code
 * Path jar = EmbeddedSchemaRegistry.locateRunnerJar(Path.of("target/apicurio"));
 * try (EmbeddedSchemaRegistry registry = EmbeddedSchemaRegistry.start(jar, workDir)) {
 *     String url = registry.url(); // http://127.0.0.1:PORT/apis/ccompat/v7
 * }
 * }</pre>
 */
public final class EmbeddedSchemaRegistry implements AutoCloseable {

  /** Path of the Confluent-compatible API in Apicurio Registry 2.x. */
  public static final String CCOMPAT_PATH = "/apis/ccompat/v7";

  /** Name of the child's log file inside the work directory. */
  public static final String LOG_FILE = "registry.log";

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSchemaRegistry.class);
  private static final String HOST = "127.0.0.1";
  private static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  private static final int LOG_TAIL_BYTES = 8 * 1024;
  private static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private final Process process;
  private final int port;
  private final Path logFile;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private EmbeddedSchemaRegistry(Process process, int port, Path logFile, Thread shutdownHook) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
    this.shutdownHook = shutdownHook;
  }

  /** Starts the registry from {@code runnerJar} on a free port, logging into {@code workDir}. */
  public static EmbeddedSchemaRegistry start(Path runnerJar, Path workDir) {
    return start(runnerJar, workDir, DEFAULT_STARTUP_TIMEOUT, List.of());
  }

  /**
   * Starts the registry.
   *
   * @param runnerJar the {@code *-runner.jar} of the unpacked Apicurio tarball (its {@code lib/}
   *     folder must sit next to it); see {@link #locateRunnerJar(Path)}
   * @param workDir working directory of the child and home of {@value #LOG_FILE}; created if
   *     missing
   * @param startupTimeout how long to wait for the API to answer
   * @param extraArgs extra JVM options or {@code -D} properties for the child, placed before {@code
   *     -jar}
   */
  public static EmbeddedSchemaRegistry start(
      Path runnerJar, Path workDir, Duration startupTimeout, List<String> extraArgs) {
    Objects.requireNonNull(runnerJar, "runnerJar");
    Objects.requireNonNull(workDir, "workDir");
    Objects.requireNonNull(startupTimeout, "startupTimeout");
    Objects.requireNonNull(extraArgs, "extraArgs");
    Path jar = runnerJar.toAbsolutePath().normalize();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalArgumentException("Apicurio runner jar not found: " + jar);
    }
    Path dir = workDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + dir, e);
    }
    Path logFile = dir.resolve(LOG_FILE);
    for (int attempt = 1; ; attempt++) {
      int port = freePort();
      try {
        return startOnce(jar, dir, logFile, port, startupTimeout, extraArgs);
      } catch (PortTakenException e) {
        // the free port was grabbed by someone else before the child bound it
        if (attempt >= 3) {
          throw new IllegalStateException(e.getMessage());
        }
        LOG.warn("Schema registry port {} was taken, retrying with another", port);
      }
    }
  }

  private static EmbeddedSchemaRegistry startOnce(
      Path jar, Path dir, Path logFile, int port, Duration startupTimeout, List<String> extraArgs) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(DEFAULT_JVM_OPTIONS);
    cmd.add("-Djava.io.tmpdir=" + dir);
    cmd.add("-Dquarkus.http.host=" + HOST);
    cmd.add("-Dquarkus.http.port=" + port);
    // keep every listener on loopback
    cmd.add("-Dquarkus.management.host=" + HOST);
    cmd.add("-Dquarkus.banner.enabled=false");
    cmd.addAll(extraArgs);
    cmd.add("-jar");
    cmd.add(jar.toString());

    long startNanos = System.nanoTime();
    Process process;
    try {
      process =
          new ProcessBuilder(cmd)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(logFile.toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(nullFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start Apicurio Registry: " + String.join(" ", cmd), e);
    }
    Thread hook =
        new Thread(
            () -> destroyTree(process, Duration.ofSeconds(5)), "embedded-schema-registry-stop");
    Runtime.getRuntime().addShutdownHook(hook);
    EmbeddedSchemaRegistry registry = new EmbeddedSchemaRegistry(process, port, logFile, hook);
    try {
      registry.awaitReady(startupTimeout);
    } catch (RuntimeException e) {
      registry.close();
      String tail = registry.logTail();
      if (!process.isAlive()
          && (tail.contains("Address already in use") || tail.contains("Port already bound"))) {
        throw new PortTakenException(e.getMessage());
      }
      throw e;
    }
    LOG.info(
        "Embedded schema registry (pid {}) ready at {} in {} ms",
        process.pid(),
        registry.url(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    return registry;
  }

  private static final class PortTakenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    PortTakenException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Finds the Apicurio {@code *-runner.jar} under {@code searchRoot}, i.e. the folder the {@code
   * apicurio-registry-app-<version>-all.tar.gz} was unpacked into (the jar sits at its top level
   * next to {@code lib/}, but nested layouts are searched too, to a depth of 4).
   *
   * @throws IllegalStateException if none or more than one runner jar is found
   */
  public static Path locateRunnerJar(Path searchRoot) {
    Objects.requireNonNull(searchRoot, "searchRoot");
    if (!Files.isDirectory(searchRoot)) {
      throw new IllegalStateException(
          "Apicurio folder not found: "
              + searchRoot.toAbsolutePath()
              + " (unpack io.apicurio:apicurio-registry-app:tar.gz:all there first)");
    }
    List<Path> found;
    try (Stream<Path> files =
        Files.find(
            searchRoot,
            4,
            (p, attrs) ->
                attrs.isRegularFile() && p.getFileName().toString().endsWith("-runner.jar"))) {
      found =
          files
              .sorted(Comparator.comparingInt(Path::getNameCount).thenComparing(Path::toString))
              .collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot search " + searchRoot, e);
    }
    if (found.isEmpty()) {
      throw new IllegalStateException("No *-runner.jar under " + searchRoot.toAbsolutePath());
    }
    if (found.size() > 1) {
      throw new IllegalStateException(
          "More than one *-runner.jar under " + searchRoot.toAbsolutePath() + ": " + found);
    }
    Path jar = found.get(0).toAbsolutePath().normalize();
    if (!Files.isDirectory(jar.resolveSibling("lib"))) {
      throw new IllegalStateException("Runner jar " + jar + " has no lib/ folder next to it");
    }
    return jar;
  }

  private void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url() + "/subjects"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastProblem = "no answer";
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "Apicurio Registry exited with code "
                + process.exitValue()
                + " before it was ready. Log tail ("
                + logFile
                + "):\n"
                + logTail());
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        lastProblem = "HTTP " + response.statusCode();
      } catch (ConnectException e) {
        lastProblem = "connection refused";
      } catch (IOException e) {
        lastProblem = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "Apicurio Registry not ready at "
                + url()
                + " after "
                + timeout.toSeconds()
                + " s ("
                + lastProblem
                + "). Log tail ("
                + logFile
                + "):\n"
                + logTail());
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Interrupted while waiting for Apicurio Registry", e);
      }
    }
  }

  /**
   * Base URL of the Confluent-compatible API, e.g. {@code http://127.0.0.1:41234/apis/ccompat/v7}.
   */
  public String url() {
    return "http://" + HOST + ":" + port + CCOMPAT_PATH;
  }

  /** The HTTP port the registry listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** The child's combined stdout/stderr. */
  public Path logFile() {
    return logFile;
  }

  /** Process id of the registry's JVM. */
  public long pid() {
    return process.pid();
  }

  /** The last few KB of the registry's log, for error messages. */
  public String logTail() {
    try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
      long length = file.length();
      long from = Math.max(0, length - LOG_TAIL_BYTES);
      byte[] bytes = new byte[(int) (length - from)];
      file.seek(from);
      file.readFully(bytes);
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(log unavailable: " + e + ")";
    }
  }

  /** Stops the registry process and its descendants and waits for them. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException ignored) {
      // JVM already shutting down; the hook runs anyway
    }
    destroyTree(process, STOP_TIMEOUT);
  }

  private static void destroyTree(Process process, Duration timeout) {
    List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
    descendants.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warn(
            "Schema registry (pid {}) did not stop in {} s, killing it",
            process.pid(),
            timeout.toSeconds());
        process.destroyForcibly();
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      for (ProcessHandle child : descendants) {
        if (child.isAlive()) {
          child.destroyForcibly();
        }
        child.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("Error while stopping schema registry (pid {}): {}", process.pid(), e.toString());
    }
  }

  private static String javaBinary() {
    Optional<String> command = ProcessHandle.current().info().command();
    if (command.isPresent() && Files.isExecutable(Path.of(command.get()))) {
      return command.get();
    }
    Path fromHome =
        Path.of(System.getProperty("java.home"), "bin", isWindows() ? "java.exe" : "java");
    if (Files.isExecutable(fromHome)) {
      return fromHome.toString();
    }
    throw new IllegalStateException("Cannot find the java binary of the current JVM");
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase().startsWith("windows");
  }

  private static java.io.File nullFile() {
    return new java.io.File(isWindows() ? "NUL" : "/dev/null");
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("No free port on " + HOST, e);
    }
  }
}
