package io.beckon.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;

class JobConfigTest {
  @Test
  void defaultsAndOverrides() {
    JobConfig c = JobConfig.fromArgs("--disorder.bound", "30s", "--kafka.security.protocol", "SSL");
    assertEquals(Duration.ofSeconds(30), c.disorderBound());
    assertEquals(Duration.ofSeconds(30), c.idleTimerLag(), "the disorder bound unless set");
    assertEquals(
        Duration.ofMinutes(1), JobConfig.fromArgs("--idle.timer.lag", "1m").idleTimerLag());
    assertEquals("events", c.topic("events"));
    assertEquals("SSL", c.kafkaProperties().getProperty("security.protocol"));
  }

  @Test
  void unknownKeysAndBadValuesAreErrors() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> JobConfig.fromArgs("--disorder-bound", "30s"));
    assertTrue(e.getMessage().startsWith("unknown setting 'disorder-bound'"), e.getMessage());
    var d =
        assertThrows(
            IllegalArgumentException.class, () -> JobConfig.fromArgs("--idle.timer.lag", "soon"));
    assertTrue(
        d.getMessage().startsWith("idle.timer.lag: 'soon' is not a duration"), d.getMessage());
  }

  @Test
  void deliveryGuaranteeAndBounded() {
    JobConfig defaults = JobConfig.fromArgs();
    assertEquals(DeliveryGuarantee.EXACTLY_ONCE, defaults.deliveryGuarantee());
    assertFalse(defaults.bounded());
    JobConfig c = JobConfig.fromArgs("--delivery.guarantee", "at-least-once", "--bounded", "true");
    assertEquals(DeliveryGuarantee.AT_LEAST_ONCE, c.deliveryGuarantee());
    assertTrue(c.bounded());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobConfig.fromArgs("--delivery.guarantee", "none"));
    assertTrue(e.getMessage().startsWith("delivery.guarantee must be"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> JobConfig.fromArgs("--bounded", "yes"));
  }

  @Test
  void registryClientGetsTlsSettingsWithPrefixAndAuthWithout() {
    JobConfig c =
        JobConfig.fromArgs(
            "--schema.registry.url", "https://registry:8081",
            "--schema.registry.ssl.truststore.location", "x",
            "--schema.registry.basic.auth.credentials.source", "USER_INFO",
            "--schema.registry.basic.auth.user.info", "u:p");
    // The Confluent client builds its SSL context only from schema.registry.ssl.* and strips the
    // prefix itself for its REST settings; a few settings it reads only without it: both forms.
    assertEquals(
        Map.of(
            "schema.registry.ssl.truststore.location", "x",
            "ssl.truststore.location", "x",
            "schema.registry.basic.auth.credentials.source", "USER_INFO",
            "basic.auth.credentials.source", "USER_INFO",
            "schema.registry.basic.auth.user.info", "u:p",
            "basic.auth.user.info", "u:p"),
        c.registryProperties());
  }

  @Test
  void secretsAreMaskedInToString() {
    JobConfig c =
        JobConfig.fromArgs(
            "--schema.registry.url", "https://reg-user:reg-pass@registry:8081",
            "--schema.registry.basic.auth.user.info", "u:topsecret1",
            "--schema.registry.basic.auth.credentials.source", "USER_INFO",
            "--schema.registry.ssl.truststore.password", "topsecret2",
            "--schema.registry.bearer.auth.token", "topsecret3",
            "--kafka.sasl.jaas.config", "org.Plain required password=\"topsecret4\";",
            "--kafka.ssl.key.password", "topsecret5",
            "--kafka.ssl.keystore.key", "topsecret6",
            "--schema.registry.bearer.auth.client.secret", "topsecret7");
    String text = c.toString();
    assertFalse(text.contains("topsecret"), text);
    assertFalse(text.contains("reg-pass"), text);
    assertTrue(text.contains("schema.registry.basic.auth.user.info=******"), text);
    assertTrue(text.contains("schema.registry.url=https://******@registry:8081"), text);
    // Not secrets, so still readable:
    assertTrue(text.contains("basic.auth.credentials.source=USER_INFO"), text);
    assertTrue(text.contains("group.id=beckon-engagement"), text);
  }

  @Test
  void secretKeys() {
    for (String k :
        new String[] {
          "sasl.jaas.config",
          "ssl.keystore.password",
          "ssl.key.password",
          "basic.auth.user.info",
          "bearer.auth.token",
          "bearer.auth.client.secret",
          "sasl.oauthbearer.client.credentials.client.secret"
        }) {
      assertTrue(JobConfig.isSecret(k), k);
    }
    for (String k :
        new String[] {
          "ssl.truststore.location", "basic.auth.credentials.source", "security.protocol"
        }) {
      assertFalse(JobConfig.isSecret(k), k);
    }
  }

  @Test
  void knowsWhatWasGivenAndParsesTheStartOption() {
    JobConfig c = JobConfig.fromArgs("--group.id", "g");
    assertFalse(c.isDefault("group.id"));
    assertTrue(c.isDefault("transactional.id.prefix"));
    assertFalse(c.allowStartWithoutState());
    assertTrue(JobConfig.fromArgs("--allow.start.without.state", "true").allowStartWithoutState());
    assertThrows(
        IllegalArgumentException.class,
        () -> JobConfig.fromArgs("--allow.start.without.state", "yes"));
  }

  @Test
  void profileRetentionIsOffByDefault() {
    assertEquals(Duration.ZERO, JobConfig.fromArgs().profileRetention());
    assertEquals(
        Duration.ofDays(90), JobConfig.fromArgs("--profile.retention", "90d").profileRetention());
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobConfig.fromArgs("--profile.retention", "forever"));
    assertTrue(e.getMessage().startsWith("profile.retention: 'forever'"), e.getMessage());
  }
}
