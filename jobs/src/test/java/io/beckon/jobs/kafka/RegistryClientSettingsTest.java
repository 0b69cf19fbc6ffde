package io.beckon.jobs.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.beckon.jobs.JobConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Job settings reach the real Confluent registry client: its TLS setup and its REST calls. */
class RegistryClientSettingsTest {
  @Test
  void basicAuthUserInfoIsSentWithEveryRequest() throws Exception {
    AtomicReference<String> authorization = new AtomicReference<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
          byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      JobConfig config =
          JobConfig.fromArgs(
              "--schema.registry.url",
              "http://127.0.0.1:" + server.getAddress().getPort(),
              "--schema.registry.basic.auth.credentials.source",
              "USER_INFO",
              "--schema.registry.basic.auth.user.info",
              "u:p");
      RegistryClients.create(config.registryUrl(), config.registryProperties()).getAllSubjects();
      assertEquals(
          "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8)),
          authorization.get());
    } finally {
      server.stop(0);
    }
  }

  @Test
  void tlsTrustStoreReachesTheClientsSslSetup() {
    JobConfig config =
        JobConfig.fromArgs(
            "--schema.registry.url",
            "https://registry.invalid:8081",
            "--schema.registry.ssl.truststore.location",
            "x");
    // The client builds its SSL context when it is created; a trust store it cannot load fails
    // that, which proves the setting arrived (with the prefix stripped it was silently ignored).
    var e =
        assertThrows(
            RuntimeException.class,
            () -> RegistryClients.create(config.registryUrl(), config.registryProperties()));
    String messages = e + " / " + e.getCause();
    assertTrue(messages.toLowerCase(java.util.Locale.ROOT).contains("ssl"), messages);
  }
}
