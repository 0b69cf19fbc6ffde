package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beckon.engine.json.Json;
import io.beckon.engine.time.Durations;
import io.beckon.schema.SendCommand;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Journeys (contract section 7), one user at a time without Flink: entry, the per-instant order,
 * each step kind, exits, quiet-hours holds, caps shared with rules, and outputs. Every instant is
 * worked out by hand, in UTC.
 */
class JourneyTest {
  static final String QUIET =
      "default_timezone: Europe/Warsaw\nquiet_hours: {start: \"22:00\", end: \"08:00\"}\n";

  /** A journey entered on {@code ping}, with extra header lines and the given steps. */
  static String journey(String header, String steps) {
    return "kind: journey\nid: jny\nversion: 3\npriority: 20\n"
        + "trigger: {kind: event, event: ping}\n"
        + header
        + "steps:\n"
        + steps;
  }

  static String send(String id, String body) {
    return "  - id: " + id + "\n    send: {channel: in_app, body: \"" + body + "\"}\n";
  }

  static String set(String name, String jsonValue) {
    return "{\"attributes\":{\"" + name + "\":" + jsonValue + "}}";
  }

  @Test
  void sendsAndBranchesRunInlineAndTheInstanceEndsCompleted() {
    Scenario s =
        new Scenario(
                journey(
                    "",
                    send("hello", "hi")
                        + "  - id: pause\n    wait: 0s\n"
                        + "  - id: route\n    branch:\n"
                        + "      - {when: {attribute: plan, op: eq, value: pro}, goto: pro}\n"
                        + "    else: basic\n"
                        + "  - id: pro\n    send: {channel: in_app, body: pro}\n    then: end\n"
                        + send("basic", "basic")))
            .event("a", "2026-01-05T09:00:00Z", "attributes_set", set("plan", "\"free\""))
            .event("b", "2026-01-05T10:00:00Z", "ping")
            .runToEnd();
    assertEquals(List.of("jny@2026-01-05T10:00:00Z", "jny@2026-01-05T10:00:00Z"), s.sentRules());
    assertEquals(List.of("hi", "basic"), s.sent.stream().map(SendCommand::getBody).toList());
    SendCommand first = s.sent.get(0);
    assertEquals("journey", first.getTrigger());
    assertEquals(3, first.getRuleVersion());
    assertEquals("default", first.getVariant());
    assertEquals("hello", first.getJourneyStep());
    assertEquals("2026-01-05T10:00:00.000Z#0", first.getJourneyInstance());
    assertEquals("2026-01-06T10:00:00Z", first.getExpiresAt().toString());
    assertEquals(
        List.of(
            "2026-01-05T10:00:00Z entered #2026-01-05T10:00:00.000Z#0",
            "2026-01-05T10:00:00Z sent hello #2026-01-05T10:00:00.000Z#0",
            "2026-01-05T10:00:00Z sent basic #2026-01-05T10:00:00.000Z#0",
            "2026-01-05T10:00:00Z exited basic reason=completed #2026-01-05T10:00:00.000Z#0"),
        s.journeyEvents());
    assertEquals(first.getSendId(), s.journeyEvents.get(1).getSendId());
    assertNull(s.store.triggers(), "an ended instance leaves no state");
  }

  @Test
  void sendIdsComeFromJourneyUserInstanceAndStep() {
    String yaml =
        journey("", send("one", "1") + "  - id: later\n    wait: 1h\n" + send("two", "2"));
    List<String> first = sendIds(yaml);
    assertEquals(first, sendIds(yaml), "the same input gives the same ids");
    assertEquals(4, first.stream().distinct().count(), "each instance and step its own id");
  }

  private static List<String> sendIds(String yaml) {
    return new Scenario(yaml)
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-06T10:00:00Z", "ping")
            .runToEnd()
            .sent
            .stream()
            .map(SendCommand::getSendId)
            .toList();
  }

  /** Every kind of wait, and a quiet-hours hold, ends at an exit_on event's own instant. */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "wait: 1d",
        "wait_until: {local_time: \"09:30\"}",
        "wait_for: {events: [{event: booked, goto: end}], timeout: {after: 2d, goto: end}}",
        "send: {channel: in_app, body: held}"
      })
  void exitOnEndsTheInstanceInAnyWait(String waitingStep) {
    Scenario s =
        Scenario.withPolicies(
                QUIET,
                journey(
                    "exit_on: [purchase_completed]\n",
                    "  - id: waiting\n    " + waitingStep + "\n" + send("after", "too late")))
            // 22:00Z is 23:00 in Warsaw: a send is held until 07:00Z; the others wait past 03:00Z.
            .event("a", "2026-01-05T22:00:00Z", "ping")
            .event("b", "2026-01-06T03:00:00Z", "purchase_completed", "{\"order_id\":\"o\"}")
            .runToEnd();
    assertEquals(List.of(), s.sent);
    assertEquals(
        "2026-01-06T03:00:00Z exited waiting reason=exit_on #2026-01-05T22:00:00.000Z#0",
        s.journeyEvents().get(s.journeyEvents().size() - 1));
    assertNull(s.store.triggers(), "no wake-up is left");
  }

  @Test
  void exitOnAlsoCancelsAPendingEntryAttempt() {
    Scenario s =
        new Scenario(
                "kind: journey\nid: jny\nversion: 1\n"
                    + "trigger: {kind: event, event: ping, delay: 1h}\n"
                    + "exit_on: [{event: purchase_completed, where: {attribute: total, op: gt,"
                    + " value: 10}}]\n"
                    + "steps:\n"
                    + send("s", "x"))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-05T10:30:00Z", "purchase_completed", "{\"total\":5}")
            .event("c", "2026-01-06T10:00:00Z", "ping")
            .event("d", "2026-01-06T10:30:00Z", "purchase_completed", "{\"total\":50}")
            .runToEnd();
    assertEquals(List.of("jny@2026-01-05T11:00:00Z"), s.sentRules(), "only a total over 10 exits");
  }

  @Test
  void aHoldEndsAtTheEndOfQuietHoursAndRunsTheStepAgain() {
    Scenario s =
        Scenario.withPolicies(
                QUIET,
                journey(
                    "",
                    send("late", "x")
                        + "  - id: gap\n    wait: 1h\n"
                        + "  - id: next\n"
                        + "    send: {channel: push, body: y}\n"))
            .event("a", "2026-01-05T22:00:00Z", "ping")
            .runToEnd();
    assertEquals(List.of("jny@2026-01-06T07:00:00Z"), s.sentRules());
    SendCommand command = s.sent.get(0);
    assertEquals(command.getFireTime(), command.getSendAfter(), "a journey's send is never held");
    assertEquals(
        List.of(
            "2026-01-05T22:00:00Z entered #2026-01-05T22:00:00.000Z#0",
            "2026-01-05T22:00:00Z held late #2026-01-05T22:00:00.000Z#0",
            "2026-01-06T07:00:00Z sent late #2026-01-05T22:00:00.000Z#0",
            // The wait counts from the real send; the push is unreachable: no token.
            "2026-01-06T08:00:00Z suppressed next reason=unreachable #2026-01-05T22:00:00.000Z#0",
            "2026-01-06T08:00:00Z exited next reason=completed #2026-01-05T22:00:00.000Z#0"),
        s.journeyEvents());
    assertEquals(
        List.of("jny@2026-01-06T08:00:00Z:unreachable"),
        s.suppressions(),
        "a suppressed step is a suppression record too");
    assertEquals("next", s.suppressed.get(0).getJourneyStep());
    assertEquals("2026-01-05T22:00:00.000Z#0", s.suppressed.get(0).getJourneyInstance());
    assertEquals("journey", s.suppressed.get(0).getTrigger());
  }

  @Test
  void aHoldRechecksQuietHoursInTheZoneOfItsEnd() {
    Scenario s =
        Scenario.withPolicies(QUIET, journey("", send("late", "x")))
            .event("a", "2026-01-05T22:00:00Z", "ping")
            // Before the Warsaw night ends (07:00Z) the user moves to New York: 02:00 EST there.
            .event("b", "2026-01-06T06:00:00Z", "app_opened", "{\"timezone\":\"America/New_York\"}")
            .runToEnd();
    // 07:00Z is 02:00 in New York: held again until 08:00 EST = 13:00Z.
    assertEquals(List.of("jny@2026-01-06T13:00:00Z"), s.sentRules());
    assertEquals(2, s.journeyEvents().stream().filter(e -> e.contains(" held ")).count());
  }

  @Test
  void aWaitForMatchBeatsItsTimeoutAtTheSameInstant() {
    String steps =
        "  - id: look\n    wait_for:\n"
            + "      events: [{event: booked, where: {attribute: nights, op: gte, value: 2},"
            + " goto: thanks}]\n"
            + "      timeout: {after: 1d, goto: nudge}\n"
            + send("nudge", "book now")
            + "    then: end\n"
            + send("thanks", "enjoy");
    Scenario s =
        new Scenario(journey("", steps))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-05T12:00:00Z", "booked", "{\"nights\":1}")
            .event("c", "2026-01-06T10:00:00Z", "booked", "{\"nights\":3}")
            .runToEnd();
    assertEquals(List.of("enjoy"), s.sent.stream().map(SendCommand::getBody).toList());
    assertEquals("2026-01-06T10:00:00Z", s.sent.get(0).getFireTime().toString());
  }

  @Test
  void anEventAtTheInstantTheWaitForIsReachedDoesNotMatchIt() {
    String steps =
        "  - id: look\n    wait_for:\n"
            + "      events: [{event: booked, goto: end}]\n"
            + "      timeout: {after: 1h, goto: nudge}\n"
            + send("nudge", "book now");
    Scenario s =
        new Scenario(journey("", steps))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-05T10:00:00Z", "booked")
            .runToEnd();
    assertEquals(List.of("jny@2026-01-05T11:00:00Z"), s.sentRules());
  }

  @Test
  void aWaitForThatTimesOutToEndCompletesThere() {
    String steps =
        "  - id: look\n    wait_for:\n"
            + "      events: [{event: booked, goto: thanks}]\n"
            + "      timeout: {after: 1h, goto: end}\n"
            + send("thanks", "enjoy");
    Scenario s = new Scenario(journey("", steps)).event("a", "2026-01-05T10:00:00Z", "ping");
    s.runToEnd();
    assertEquals(
        "2026-01-05T11:00:00Z exited look reason=completed #2026-01-05T10:00:00.000Z#0",
        s.journeyEvents().get(1));
  }

  @ParameterizedTest
  @CsvSource({
    "ignore, 2026-01-05T10:00:00Z entry_suppressed reason=active",
    "restart, 2026-01-05T10:00:00Z exited wait reason=restarted #2026-01-05T10:00:00.000Z#0"
  })
  void whileActiveAtTheSameInstant(String whileActive, String secondEntry) {
    Scenario s =
        new Scenario(journey("while_active: " + whileActive + "\n", "  - id: wait\n    wait: 1d\n"))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-05T10:00:00Z", "ping")
            .runToEnd();
    assertEquals(secondEntry, s.journeyEvents().get(1));
    if (whileActive.equals("restart")) {
      assertEquals(
          "2026-01-05T10:00:00Z entered #2026-01-05T10:00:00.000Z#1", s.journeyEvents().get(2));
      assertEquals(
          "2026-01-06T10:00:00Z exited wait reason=completed #2026-01-05T10:00:00.000Z#1",
          s.journeyEvents().get(3));
    }
  }

  @Test
  void entryChecksAudienceThenCooldownThenActive() {
    Scenario s =
        new Scenario(
                journey(
                    "audience: {attribute: plan, op: eq, value: pro}\n"
                        + "reentry: {cooldown: 2d}\n",
                    "  - id: wait\n    wait: 3d\n"))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-05T11:00:00Z", "attributes_set", set("plan", "\"pro\""))
            .event("c", "2026-01-05T12:00:00Z", "ping")
            // Within the cooldown of the entry at 12:00 (and active too): reentry comes first.
            .event("d", "2026-01-07T11:59:59.999Z", "ping")
            // The cooldown is over, the instance still active.
            .event("e", "2026-01-07T12:00:00Z", "ping")
            .runToEnd();
    assertEquals(
        List.of(
            "2026-01-05T10:00:00Z entry_suppressed reason=audience",
            "2026-01-05T12:00:00Z entered #2026-01-05T12:00:00.000Z#0",
            "2026-01-07T11:59:59.999Z entry_suppressed reason=reentry",
            "2026-01-07T12:00:00Z entry_suppressed reason=active",
            "2026-01-08T12:00:00Z exited wait reason=completed #2026-01-05T12:00:00.000Z#0"),
        s.journeyEvents());
    assertEquals("jny", s.journeyEvents.get(0).getJourneyId());
    assertNull(s.journeyEvents.get(0).getInstance());
  }

  @Test
  void onceMeansNoEntryAttemptAtAllAfterTheFirstAdmittedEntry() {
    Scenario s =
        new Scenario(journey("reentry: {once: true}\n", send("hello", "hi")))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-05T10:00:00Z", "ping")
            .event("c", "2026-01-09T10:00:00Z", "ping")
            .runToEnd();
    assertEquals(1, s.sent.size());
    assertEquals(3, s.journeyEvents().size(), "entered, sent, exited: nothing more");
  }

  @ParameterizedTest(name = "{0} {1} on {2}")
  @CsvSource({
    // Warsaw, spring forward 2026-03-29 02:00 -> 03:00: 02:30 is in the gap, moved by it to 03:30
    // CEST = 01:30Z. Reached at 00:00 local (23:00Z the day before).
    "Europe/Warsaw, 02:30, 2026-03-28T23:00:00Z, 2026-03-29T01:30:00Z",
    // Warsaw, fall back 2026-10-25 03:00 -> 02:00: 02:30 happens twice; the first is CEST = 00:30Z.
    "Europe/Warsaw, 02:30, 2026-10-24T22:00:00Z, 2026-10-25T00:30:00Z",
    // A normal Warsaw day after the change: 09:30 CET = 08:30Z.
    "Europe/Warsaw, 09:30, 2026-10-25T02:00:00Z, 2026-10-25T08:30:00Z",
    // New York, spring forward 2026-03-08 02:00 -> 03:00: 02:30 -> 03:30 EDT = 07:30Z.
    "America/New_York, 02:30, 2026-03-08T05:00:00Z, 2026-03-08T07:30:00Z",
    // New York, fall back 2026-11-01 02:00 -> 01:00: 01:30 twice; the first is EDT = 05:30Z.
    "America/New_York, 01:30, 2026-11-01T04:00:00Z, 2026-11-01T05:30:00Z",
    // Reached after that day's instant: the next day, 01:30 EST = 06:30Z.
    "America/New_York, 01:30, 2026-11-01T05:30:00.001Z, 2026-11-02T06:30:00Z",
    // Reached exactly at it: completes at once.
    "America/New_York, 01:30, 2026-11-01T05:30:00Z, 2026-11-01T05:30:00Z",
    // Nuuk springs forward 2026-03-28 23:00 -> 2026-03-29 00:00 (UTC-2 -> UTC-1): Saturday's
    // 23:30 is in the gap and moves to Sunday 00:30 = 01:30Z, after a step reached at Sunday
    // 00:10 (01:10Z). Saturday's instant comes first, though the step was reached on Sunday.
    "America/Nuuk, 23:30, 2026-03-29T01:10:00Z, 2026-03-29T01:30:00Z"
  })
  void waitUntilOnDaylightSavingDays(String zone, String localTime, String reached, String sent) {
    Scenario s =
        new Scenario(
                journey(
                    "",
                    "  - id: slot\n    wait_until: {local_time: \""
                        + localTime
                        + "\"}\n"
                        + send("go", "x")))
            .event("a", "2026-01-01T00:00:00Z", "app_opened", "{\"timezone\":\"" + zone + "\"}")
            .event("b", reached, "ping")
            .runToEnd();
    assertEquals(List.of("jny@" + sent), s.sentRules());
  }

  @Test
  void waitUntilTakesTheNextAllowedWeekday() {
    Scenario s =
        new Scenario(
                journey(
                    "",
                    "  - id: slot\n    wait_until: {local_time: \"09:30\", days: [mon, wed]}\n"
                        + send("go", "x")))
            // Saturday 2026-01-10, UTC (no zone): Monday 2026-01-12 09:30Z.
            .event("b", "2026-01-10T10:00:00Z", "ping")
            // Monday after 09:30: Wednesday.
            .event("c", "2026-01-12T09:30:00.001Z", "ping")
            .runToEnd();
    assertEquals(List.of("jny@2026-01-12T09:30:00Z", "jny@2026-01-14T09:30:00Z"), s.sentRules());
  }

  @Test
  void templatesSeeTheProfileNowAndTheEntryEvent() {
    Scenario s =
        new Scenario(
                "kind: journey\nid: jny\nversion: 1\n"
                    + "trigger: {kind: event, event: plan_chosen}\n"
                    + "steps:\n"
                    + "  - id: later\n    wait: 1h\n"
                    + send("go", "{{ event.plan }}: {{ cart_units }} in cart, {{ plan }}"))
            .event("a", "2026-01-05T10:00:00Z", "plan_chosen", "{\"plan\":\"pro\"}")
            .event(
                "b",
                "2026-01-05T10:30:00Z",
                "cart_item_added",
                "{\"sku\":\"S\",\"quantity\":2,\"price\":1.0,\"currency\":\"EUR\"}")
            .event("c", "2026-01-05T10:40:00Z", "attributes_set", set("plan", "\"basic\""))
            .runToEnd();
    assertEquals("pro: 2 in cart, basic", s.sent.get(0).getBody());
    assertEquals(
        Json.parseObject("{\"event\":{\"plan\":\"pro\"}}"),
        Json.parseObject(s.sent.get(0).getVariables()),
        "variables are the entry's, frozen");
  }

  @Test
  void capsAreSharedWithRulesAndSpentInPriorityOrder() {
    String policies = "frequency_caps: [{max: 1, per: 1d}]\n";
    String rule =
        "id: rul\nversion: 1\npriority: 10\ntrigger: {kind: event, event: ping}\n"
            + "message: {channel: in_app, body: rule}\n";
    Scenario s =
        Scenario.withPolicies(policies, rule, journey("", send("hello", "journey")))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .runToEnd();
    // The journey (priority 20) is taken first and spends the cap.
    assertEquals(List.of("journey"), s.sent.stream().map(SendCommand::getBody).toList());
    assertEquals(List.of("rul@2026-01-05T10:00:00Z:frequency_cap"), s.suppressions());
  }

  @Test
  void aStepAudienceSuppressesAndTheInstanceGoesOn() {
    Scenario s =
        new Scenario(
                journey(
                    "",
                    "  - id: gated\n"
                        + "    send:\n      channel: in_app\n      body: x\n"
                        + "      audience: {attribute: vip, op: eq, value: true}\n"
                        + send("open", "y")))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .runToEnd();
    assertEquals(List.of("jny@2026-01-05T10:00:00Z:audience"), s.suppressions());
    assertEquals(List.of("y"), s.sent.stream().map(SendCommand::getBody).toList());
  }

  @Test
  void aDateTriggerEntersTheJourney() {
    Scenario s =
        new Scenario(
                "kind: journey\nid: bday\nversion: 1\n"
                    + "trigger: {kind: date, attribute: birthday, at: \"10:00\", repeat: yearly}\n"
                    + "steps:\n"
                    + send("coupon", "{{ years }}")
                    + "  - id: later\n    wait: 2d\n"
                    + send("reminder", "still valid"))
            .event("a", "2026-01-10T12:00:00Z", "attributes_set", set("birthday", "\"1990-03-15\""))
            // The input reaches into 2027, so 2027's occurrence is armed too (section 8).
            .event("b", "2027-01-01T00:00:00Z", "app_opened")
            .runUntil("2027-12-31T00:00:00Z");
    assertEquals(
        List.of(
            "bday@2026-03-15T10:00:00Z",
            "bday@2026-03-17T10:00:00Z",
            "bday@2027-03-15T10:00:00Z",
            "bday@2027-03-17T10:00:00Z"),
        s.sentRules());
    assertEquals("36", s.sent.get(0).getBody());
    assertNotEquals(s.sent.get(0).getSendId(), s.sent.get(2).getSendId());
  }

  /** An engine with one journey, for tests that drive apply and fireDue themselves. */
  static UserEngine engineFor(String journeyYaml) {
    return new UserEngine(
        io.beckon.engine.rules.RuleSet.parse(java.util.Map.of("j.yaml", journeyYaml)));
  }

  @Test
  void lateEventsNeverEnterMatchOrExit() {
    UserEngine engine =
        engineFor(
            journey(
                "exit_on: [purchase_completed]\n",
                "  - id: look\n    wait_for:\n"
                    + "      events: [{event: booked, goto: end}]\n"
                    + "      timeout: {after: 1d, goto: nudge}\n"
                    + send("nudge", "book now")));
    InMemoryUserStore store = new InMemoryUserStore();
    Scenario.Recorder out = new Scenario.Recorder();
    long t = java.time.Instant.parse("2026-01-05T10:00:00Z").toEpochMilli();
    engine.apply(ExpiryTest.event("a", t, "ping"), store, out);
    engine.fireDue("u", t, store, out);
    long watermark = t + Durations.HOUR;
    // Late: older than the watermark, though after the step was reached.
    engine.applyLate(ExpiryTest.event("b", t + 1, "booked"), store, watermark);
    engine.applyLate(ExpiryTest.event("c", t + 2, "purchase_completed"), store, watermark);
    engine.applyLate(ExpiryTest.event("d", t + 3, "ping"), store, watermark);
    engine.fireDue("u", t + Durations.DAY, store, out);
    assertEquals(List.of("book now"), out.sent.stream().map(SendCommand::getBody).toList());
  }

  @Test
  void erasureDeletesTheInstanceWithoutAJourneyEvent() {
    Scenario s =
        new Scenario(journey("", "  - id: wait\n    wait: 1d\n" + send("after", "x")))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-05T11:00:00Z", "user_erased")
            .runToEnd();
    assertEquals(
        List.of("2026-01-05T10:00:00Z entered #2026-01-05T10:00:00.000Z#0"), s.journeyEvents());
    assertEquals(List.of(), s.sent);
  }

  @Test
  void aBranchWithoutElseGoesToTheNextStepAndSeesTheProfileNow() {
    Scenario s =
        new Scenario(
                journey(
                    "",
                    "  - id: later\n    wait: 1h\n"
                        + "  - id: route\n    branch:\n"
                        + "      - {when: {attribute: vip, op: eq, value: true}, goto: vip}\n"
                        + send("everyone", "everyone")
                        + send("vip", "vip")))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .event("b", "2026-01-06T10:00:00Z", "ping")
            // Set during the first instance's wait: its branch reads it; the second's too.
            .event("c", "2026-01-05T10:30:00Z", "attributes_set", set("vip", "false"))
            .event("d", "2026-01-06T10:30:00Z", "attributes_set", set("vip", "true"))
            .runToEnd();
    assertEquals(
        List.of("everyone", "vip", "vip"), s.sent.stream().map(SendCommand::getBody).toList());
  }

  @Test
  void aProfileValueShadowsTheFrozenTriggerVariableOfTheSameName() {
    Scenario s =
        new Scenario(
                "kind: journey\nid: cart-steps\nversion: 1\n"
                    + "trigger: {kind: cart_abandoned, delay: 1h}\n"
                    + "steps:\n"
                    + send("first", "{{ cart_units }}")
                    + "  - id: later\n    wait: 1h\n"
                    + send("second", "{{ cart_units }}"))
            .event(
                "a",
                "2026-01-05T10:00:00Z",
                "cart_item_added",
                "{\"sku\":\"S\",\"quantity\":2,\"price\":1.0}")
            .event(
                "b",
                "2026-01-05T11:30:00Z",
                "cart_item_added",
                "{\"sku\":\"T\",\"quantity\":3,\"price\":1.0}")
            .runUntil("2026-01-05T12:00:00Z");
    // Entered at 11:00 with 2 units (frozen); at 12:00 the cart holds 5.
    assertEquals(List.of("2", "5"), s.sent.stream().map(SendCommand::getBody).toList());
    assertEquals(
        2L,
        ((Number) Json.parseObject(s.sent.get(1).getVariables()).get("cart_units")).longValue());
  }

  @Test
  void everyEntryAttemptCountsForTheGeofenceCooldownWhateverItsOutcome() {
    Scenario s =
        new Scenario(
                "kind: journey\nid: shop-visit\nversion: 1\n"
                    + "trigger:\n  kind: geofence_entered\n"
                    + "  fences: [{id: shop, lat: 52.0, lon: 21.0, radius_m: 100}]\n"
                    + "  cooldown: 2h\n"
                    + "audience: {attribute: vip, op: eq, value: true}\n"
                    + "steps:\n"
                    + send("hello", "x"))
            .event("a", "2026-01-05T10:00:00Z", "location_updated", "{\"lat\":52.0,\"lon\":21.0}")
            .event("b", "2026-01-05T10:30:00Z", "attributes_set", set("vip", "true"))
            .event("c", "2026-01-05T10:40:00Z", "location_updated", "{\"lat\":52.1,\"lon\":21.0}")
            .event("d", "2026-01-05T11:00:00Z", "location_updated", "{\"lat\":52.0,\"lon\":21.0}")
            .event("e", "2026-01-05T12:00:00Z", "location_updated", "{\"lat\":52.1,\"lon\":21.0}")
            .event("f", "2026-01-05T12:30:00Z", "location_updated", "{\"lat\":52.0,\"lon\":21.0}")
            .runToEnd();
    // 10:00 is an attempt (audience fails) and starts the cooldown: 11:00 does not fire at all.
    assertEquals(
        List.of(
            "2026-01-05T10:00:00Z entry_suppressed reason=audience",
            "2026-01-05T12:30:00Z entered #2026-01-05T12:30:00.000Z#0",
            "2026-01-05T12:30:00Z sent hello #2026-01-05T12:30:00.000Z#0",
            "2026-01-05T12:30:00Z exited hello reason=completed #2026-01-05T12:30:00.000Z#0"),
        s.journeyEvents());
  }

  @Test
  void thenOnAWaitAndAWaitUntilSkipsAhead() {
    Scenario s =
        new Scenario(
                journey(
                    "",
                    "  - id: pause\n    wait: 1h\n    then: slot\n"
                        + send("skipped", "never")
                        + "  - id: slot\n    wait_until: {local_time: \"18:00\"}\n    then: last\n"
                        + send("skipped-too", "never")
                        + send("last", "last")))
            .event("a", "2026-01-05T10:00:00Z", "ping")
            .runToEnd();
    assertEquals(List.of("jny@2026-01-05T18:00:00Z"), s.sentRules());
    assertEquals("last", s.sent.get(0).getBody());
  }

  @Test
  void aDayIsExactly24HoursAcrossAClockChange() {
    // Warsaw springs forward on 2026-03-29: 10:00Z is 11:00 CET before, 12:00 CEST after.
    Scenario s =
        new Scenario(journey("", "  - id: pause\n    wait: 1d\n" + send("after", "x")))
            .event("z", "2026-01-01T00:00:00Z", "app_opened", "{\"timezone\":\"Europe/Warsaw\"}")
            .event("a", "2026-03-28T10:00:00Z", "ping")
            .runToEnd();
    assertEquals(List.of("jny@2026-03-29T10:00:00Z"), s.sentRules());
  }

  @Test
  void aLateEventsProfileUpdateIsWhatALaterBranchReads() {
    UserEngine engine =
        engineFor(
            journey(
                "",
                "  - id: pause\n    wait: 1d\n"
                    + "  - id: route\n    branch:\n"
                    + "      - {when: {attribute: vip, op: eq, value: true}, goto: vip}\n"
                    + send("everyone", "everyone")
                    + "    then: end\n"
                    + send("vip", "vip")));
    InMemoryUserStore store = new InMemoryUserStore();
    Scenario.Recorder out = new Scenario.Recorder();
    long t = java.time.Instant.parse("2026-01-05T10:00:00Z").toEpochMilli();
    engine.apply(ExpiryTest.event("a", t, "ping"), store, out);
    engine.fireDue("u", t, store, out);
    engine.applyLate(
        new io.beckon.engine.event.UserEvent(
            "b", "u", "attributes_set", t + 1, Json.parseObject(set("vip", "true"))),
        store,
        t + Durations.HOUR);
    engine.fireDue("u", t + Durations.DAY, store, out);
    assertEquals(List.of("vip"), out.sent.stream().map(SendCommand::getBody).toList());
  }
}
