package io.beckon.tools;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.OptionalLong;
import org.apache.flink.api.common.JobID;

/**
 * Flink's own count of a job's restarts: the job metric {@code numRestarts}, read over the
 * cluster's REST API. The REST metric view refreshes every few seconds, so the first answers may be
 * empty; this waits (up to 30 s) for one that has the metric.
 */
final class JobRestarts {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobRestarts() {}

  static long of(URI rest, JobID job) {
    URI url = rest.resolve("/jobs/" + job + "/metrics?get=numRestarts");
    return await("numRestarts of job " + job)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> read(url), OptionalLong::isPresent)
        .getAsLong();
  }

  private static OptionalLong read(URI url) throws Exception {
    HttpResponse<String> response =
        HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    JsonNode metrics = JSON.readTree(response.body());
    return response.statusCode() == 200 && metrics.isArray() && metrics.size() == 1
        ? OptionalLong.of(metrics.get(0).get("value").asLong())
        : OptionalLong.empty();
  }
}
