package io.beckon.jobs;

import io.beckon.engine.time.Durations;
import java.io.Serializable;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * The engagement job's settings, parsed once from {@code --key value} arguments (or a properties
 * file given with {@code --config}). Unknown keys are errors, so a typo never silently falls back
 * to a default. See {@link #DEFAULTS} for every key and its default.
 */
public final class JobConfig implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Every key with its default value; the README's configuration table mirrors this. */
  public static final Map<String, String> DEFAULTS;

  static {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("bootstrap.servers", "localhost:9092");
    d.put("schema.registry.url", "http://localhost:8081");
    d.put("topic.events", "events");
    d.put("topic.rules", "rules");
    d.put("topic.policies", "policies");
    d.put("topic.rules-rejected", "rules-rejected");
    d.put("topic.send-commands", "send-commands");
    d.put("topic.send-suppressions", "send-suppressions");
    d.put("topic.conversions", "conversions");
    d.put("topic.journey-events", "journey-events");
    d.put("topic.dead-letters", "events-dlq");
    d.put("topic.late-events", "events-late");
    d.put("group.id", "beckon-engagement");
    d.put("transactional.id.prefix", "beckon-engagement");
    d.put("disorder.bound", "10s");
    d.put("idle.timer.lag", "disorder.bound");
    d.put("engine.cached.users", "50000");
    d.put("max.clock.skew", "1h");
    d.put("starting.offsets", "committed-or-earliest");
    d.put("transaction.timeout", "15m");
    d.put("allow.start.without.state", "false");
    d.put("dead.letter.max.bytes", "1000000");
    d.put("profile.retention", "off");
    d.put("delivery.guarantee", "exactly-once");
    d.put("bounded", "false");
    DEFAULTS = java.util.Collections.unmodifiableMap(d);
  }

  /** The prefix every exactly-once producer of a deployment shares; see {@link #isDefault}. */
  public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "beckon-engagement";

  private static final String REGISTRY_PREFIX = "schema.registry.";

  /**
   * Parts of a key that mark its value as a secret: Kafka's and the registry client's passwords,
   * JAAS configs, basic-auth user info, bearer tokens, client secrets, PEM private keys.
   */
  private static final java.util.List<String> SECRET_KEY_PARTS =
      java.util.List.of(
          "password",
          "user.info",
          "jaas.config",
          "secret",
          "token",
          "credentials",
          "keystore.key",
          "private",
          "apikey",
          "api.key");

  private static final String MASK = "******";

  private final Map<String, String> values;
  private final java.util.Set<String> given;

  private JobConfig(Map<String, String> values, java.util.Set<String> given) {
    this.values = values;
    this.given = given;
  }

  /** Parses {@code --key value} pairs; {@code --config FILE} loads a properties file first. */
  public static JobConfig fromArgs(String... args) {
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --key value pairs, got '" + arg + "'");
      }
      String key = arg.substring(2);
      String value = args[++i];
      if (key.equals("config")) {
        given.putAll(readProperties(value));
      } else {
        given.put(key, value);
      }
    }
    return of(given);
  }

  /** Defaults overridden by {@code overrides}; unknown keys are rejected. */
  public static JobConfig of(Map<String, String> overrides) {
    Map<String, String> values = new TreeMap<>(DEFAULTS);
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      if (!DEFAULTS.containsKey(e.getKey())
          && !e.getKey().startsWith("kafka.")
          && !e.getKey().startsWith("schema.registry.")) {
        throw new IllegalArgumentException(
            "unknown setting '"
                + e.getKey()
                + "'; known: "
                + DEFAULTS.keySet()
                + " plus kafka.* and schema.registry.* client properties");
      }
      values.put(e.getKey(), e.getValue());
    }
    JobConfig config =
        new JobConfig(
            values,
            java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(overrides.keySet())));
    config.disorderBound();
    config.idleTimerLag();
    config.maxClockSkew();
    config.allowStartWithoutState();
    config.profileRetention();
    config.cachedUsers();
    config.deliveryGuarantee();
    config.bounded();
    return config;
  }

  private static Map<String, String> readProperties(String file) {
    Properties p = new Properties();
    try (var in = java.nio.file.Files.newBufferedReader(java.nio.file.Path.of(file))) {
      p.load(in);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "cannot read config file " + file + ": " + e.getMessage(), e);
    }
    Map<String, String> out = new LinkedHashMap<>();
    p.stringPropertyNames().forEach(k -> out.put(k, p.getProperty(k)));
    return out;
  }

  public String get(String key) {
    return values.get(key);
  }

  /** True when {@code key} was not given and so has its default value. */
  public boolean isDefault(String key) {
    return !given.contains(key);
  }

  /**
   * {@code allow.start.without.state}: whether the job may start without a savepoint or checkpoint
   * although its consumer group has already committed offsets on the events topic (see {@link
   * StartGuard}).
   */
  public boolean allowStartWithoutState() {
    String v = values.get("allow.start.without.state");
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException(
          "allow.start.without.state must be true or false, not '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  /**
   * {@code delivery.guarantee}: {@code exactly-once} (transactional sinks, output visible to
   * read_committed consumers when a checkpoint completes) or {@code at-least-once} (output visible
   * at once, duplicated after a failure).
   */
  public DeliveryGuarantee deliveryGuarantee() {
    return switch (values.get("delivery.guarantee")) {
      case "exactly-once" -> DeliveryGuarantee.EXACTLY_ONCE;
      case "at-least-once" -> DeliveryGuarantee.AT_LEAST_ONCE;
      default ->
          throw new IllegalArgumentException(
              "delivery.guarantee must be exactly-once or at-least-once, not '"
                  + values.get("delivery.guarantee")
                  + "'");
    };
  }

  /**
   * {@code bounded}: whether the job stops at the offsets where the events and rules topics end
   * when it starts (a benchmark or a backfill), instead of running for ever.
   */
  public boolean bounded() {
    String v = values.get("bounded");
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("bounded must be true or false, not '" + v + "'");
    }
    return Boolean.parseBoolean(v);
  }

  public String bootstrapServers() {
    return values.get("bootstrap.servers");
  }

  public String registryUrl() {
    return values.get("schema.registry.url");
  }

  public String topic(String name) {
    return values.get("topic." + name);
  }

  public Duration disorderBound() {
    return duration("disorder.bound");
  }

  /** Users whose records each engine instance keeps in memory between checkpoints. */
  public int cachedUsers() {
    String text = values.get("engine.cached.users");
    try {
      int users = Integer.parseInt(text);
      if (users >= 0) {
        return users;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "engine.cached.users must be a whole number of users, 0 or more, not '" + text + "'");
  }

  /**
   * Wall-clock silence of the whole input after which event time moves on with the wall clock.
   * Defaults to the disorder bound: an event that would still be on time while events flow is on
   * time after a quiet spell too, and a message triggered in a quiet system goes out about one
   * bound after its event rather than a minute later.
   */
  public Duration idleTimerLag() {
    return "disorder.bound".equals(values.get("idle.timer.lag"))
        ? disorderBound()
        : duration("idle.timer.lag");
  }

  /** How far an event's time may be ahead of its Kafka record timestamp and be clamped (§2). */
  public Duration maxClockSkew() {
    return duration("max.clock.skew");
  }

  /**
   * Event time without an event after which a user with nothing pending is dropped entirely; {@code
   * off} (zero) keeps users until {@code user_erased}.
   */
  public Duration profileRetention() {
    return retention(values.get("profile.retention"), "profile.retention");
  }

  /** {@code off} or a positive duration; zero means off. */
  public static Duration retention(String text, String name) {
    if (text.equals("off")) {
      return Duration.ZERO;
    }
    try {
      return Duration.ofMillis(Durations.parseMillis(text));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + ": " + e.getMessage() + ", or off", e);
    }
  }

  /** Extra Kafka client properties given as {@code kafka.<name>}. */
  public Properties kafkaProperties() {
    Properties p = new Properties();
    values.forEach(
        (k, v) -> {
          if (k.startsWith("kafka.")) {
            p.setProperty(k.substring("kafka.".length()), v);
          }
        });
    return p;
  }

  /**
   * Registry client settings given as {@code schema.registry.<name>} (TLS, auth, timeouts, proxy),
   * in the form the Confluent {@code CachedSchemaRegistryClient} reads them. The client takes its
   * TLS settings ({@code ssl.*}) only from keys that keep the {@code schema.registry.} prefix, and
   * strips that prefix itself before configuring its REST calls ({@code basic.auth.*}, {@code
   * bearer.auth.*}, {@code proxy.*}, {@code http.*}); a few settings (the {@code missing.*} caches)
   * it reads only without the prefix. So every setting is passed both ways: with its prefix as
   * given, and without it.
   */
  public Map<String, String> registryProperties() {
    Map<String, String> out = new TreeMap<>();
    values.forEach(
        (k, v) -> {
          if (k.startsWith(REGISTRY_PREFIX) && !k.equals("schema.registry.url")) {
            out.put(k, v);
            out.put(k.substring(REGISTRY_PREFIX.length()), v);
          }
        });
    return out;
  }

  /** True when the value of a setting called {@code key} must never be printed or logged. */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(java.util.Locale.ROOT);
    if (k.endsWith("credentials.source")) {
      return false; // names where credentials come from (USER_INFO, SASL_INHERIT, ...), not them
    }
    return SECRET_KEY_PARTS.stream().anyMatch(k::contains);
  }

  /**
   * A copy of {@code settings} fit for logs: secret values replaced by a mask, and user info in
   * URLs ({@code https://user:password@host}) masked.
   */
  public static Map<String, String> masked(Map<?, ?> settings) {
    Map<String, String> out = new TreeMap<>();
    settings.forEach(
        (k, v) -> {
          String key = String.valueOf(k);
          String value = String.valueOf(v);
          out.put(
              key, isSecret(key) ? MASK : value.replaceAll("://[^/@\\s]+@", "://" + MASK + "@"));
        });
    return out;
  }

  private Duration duration(String key) {
    try {
      return Duration.ofMillis(Durations.parseMillis(values.get(key)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return masked(values).toString();
  }
}
