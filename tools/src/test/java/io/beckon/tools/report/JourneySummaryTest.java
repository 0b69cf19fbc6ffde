package io.beckon.tools.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.beckon.engine.rules.RuleSet;
import io.beckon.schema.JourneyEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The demo summary's journey rows, from journey events as the topic carries them. */
class JourneySummaryTest {
  private static final String JOURNEY =
      """
      kind: journey
      id: trial
      version: 1
      trigger: {kind: event, event: trial_started}
      while_active: restart
      exit_on: [purchase_completed]
      steps:
        - id: hello
          send: {channel: in_app, body: "hi"}
        - id: pause
          wait: 1d
        - id: nudge
          send: {channel: push, body: "nudge"}
      """;

  private static JourneyEvent event(String type, String step, String reason) {
    return JourneyEvent.newBuilder()
        .setUserId("u1")
        .setJourneyId("trial")
        .setJourneyVersion(1)
        .setInstance(type.equals("entry_suppressed") ? null : "2026-01-05T10:00:00.000Z#0")
        .setTime(Instant.parse("2026-01-05T10:00:00Z"))
        .setType(type)
        .setStep(step)
        .setSendId(type.equals("sent") ? "s" : null)
        .setReason(reason)
        .build();
  }

  @Test
  void entriesExitsByReasonAndSendsPerStepInTheFilesOrder() {
    JourneySummary summary = new JourneySummary();
    for (int i = 0; i < 3; i++) {
      summary.add(event("entered", null, null));
      summary.add(event("sent", "hello", null));
    }
    summary.add(event("held", "nudge", null));
    summary.add(event("sent", "nudge", null));
    summary.add(event("suppressed", "nudge", "frequency_cap"));
    summary.add(event("exited", "pause", "restarted"));
    summary.add(event("exited", "nudge", "completed"));
    summary.add(event("entry_suppressed", null, "audience"));
    var journeys = RuleSet.parse(Map.of("trial.yaml", JOURNEY)).journeys();
    assertEquals(
        List.of(
            "  trial",
            "    entered                               3",
            "    entry suppressed: audience            1",
            "    exited: completed                     1",
            "    exited: exit_on                       0",
            "    exited: restarted                     1",
            "    exited: version                       0",
            "    still in the journey                  1",
            "    sent at hello                         3",
            "    sent at nudge                         1   (held by quiet hours 1,"
                + " suppressed frequency_cap 1)"),
        summary.lines(journeys));
    assertEquals(3, summary.entered("trial"));
  }

  @Test
  void aJourneyWithoutEventsShowsZeros() {
    var journeys = RuleSet.parse(Map.of("trial.yaml", JOURNEY)).journeys();
    List<String> lines = new JourneySummary().lines(journeys);
    assertEquals(9, lines.size(), "no entry was suppressed: no such row");
    assertEquals("    sent at nudge                         0", lines.get(8));
  }

  @Test
  void theReportReadsReplaysJourneyFile() {
    String prefix =
        "{\"user_id\":\"u-1\",\"journey_id\":\"search\",\"journey_version\":1,"
            + "\"instance\":\"2026-03-01T10:00:00.000Z#0\",";
    List<String> file =
        List.of(
            prefix + "\"time\":\"2026-03-01T10:00:00Z\",\"type\":\"entered\"}",
            prefix
                + "\"time\":\"2026-03-02T10:00:00Z\",\"type\":\"sent\",\"step\":\"nudge\","
                + "\"send_id\":\"x\"}",
            prefix
                + "\"time\":\"2026-03-02T10:00:00Z\",\"type\":\"exited\",\"step\":\"nudge\","
                + "\"reason\":\"completed\"}",
            "");
    assertEquals(
        String.join(
            "\n",
            "",
            "journeys:",
            "  search",
            "    entered                               1",
            "    exited: completed                     1",
            "    exited: exit_on                       0",
            "    exited: restarted                     0",
            "    exited: version                       0",
            "    still in the journey                  0",
            "    sent at nudge                         1",
            ""),
        ReportCommand.journeySummary(file, null));
  }
}
