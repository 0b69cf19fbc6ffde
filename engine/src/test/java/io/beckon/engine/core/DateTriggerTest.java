package io.beckon.engine.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beckon.engine.event.UserEvent;
import io.beckon.engine.json.Json;
import io.beckon.engine.rules.PoliciesParser;
import io.beckon.engine.rules.RuleSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code date} trigger (contract section 8). Users are in Europe/Warsaw (the default zone):
 * UTC+1 in winter, UTC+2 in summer; every expected instant is worked out by hand in UTC.
 */
class DateTriggerTest {
  static final String WARSAW = "default_timezone: Europe/Warsaw\n";

  static String rule(String id, String trigger, String extra) {
    return "id: "
        + id
        + "\nversion: 1\ntrigger: "
        + trigger
        + "\nmessage: {channel: in_app, body: \"{{ occurrence_date }} {{ years }}\"}\n"
        + extra;
  }

  static final String BIRTHDAY =
      rule("birthday", "{kind: date, attribute: birthday, at: \"10:00\", repeat: yearly}", "");

  static String set(String name, String value) {
    return "{\"attributes\":{\"" + name + "\":" + value + "}}";
  }

  @Test
  void aYearlyBirthdayFiresEachYearFromTheNextOccurrenceOn() {
    Scenario s =
        Scenario.withPolicies(WARSAW, BIRTHDAY)
            .event("a", "2026-01-10T12:00:00Z", "attributes_set", set("birthday", "\"1990-03-15\""))
            .event("b", "2027-06-01T00:00:00Z", "app_opened")
            .runToEnd();
    // 10:00 CET = 09:00Z in March 2026 and 2027 (before the switch to summer time on the
    // 29th/28th).
    // 2028's occurrence was armed when 2027's fired (before the last event), so the end of input
    // fires it; having fired after the last event, it arms no 2029.
    assertEquals(
        List.of(
            "birthday@2026-03-15T09:00:00Z",
            "birthday@2027-03-15T09:00:00Z",
            "birthday@2028-03-15T09:00:00Z"),
        s.sentRules());
    assertEquals("2026-03-15 36", s.sent.get(0).getBody());
    assertEquals("2027-03-15 37", s.sent.get(1).getBody());
    assertEquals(0, s.store.triggers().getPending().size());
  }

  @Test
  void aTwentyNinthOfFebruaryBirthdayIsTheTwentyEighthInCommonYears() {
    Scenario s =
        Scenario.withPolicies(WARSAW, BIRTHDAY)
            .event("a", "2026-01-10T12:00:00Z", "attributes_set", set("birthday", "\"2000-02-29\""))
            .event("b", "2028-12-31T00:00:00Z", "app_opened")
            .runToEnd();
    assertEquals(
        List.of(
            "birthday@2026-02-28T09:00:00Z",
            "birthday@2027-02-28T09:00:00Z",
            "birthday@2028-02-29T09:00:00Z",
            "birthday@2029-02-28T09:00:00Z"),
        s.sentRules());
    assertEquals("2026-02-28 26", s.sent.get(0).getBody());
  }

  @Test
  void anInvalidValueDisarmsAndIsCounted() {
    java.util.concurrent.atomic.LongAdder invalid = new java.util.concurrent.atomic.LongAdder();
    UserTimeline timeline =
        new UserTimeline(
            new UserEngine(
                RuleSet.parse(Map.of("b.yaml", BIRTHDAY)), PoliciesParser.parse(WARSAW), invalid),
            "u-1");
    for (String value : List.of("\"1991-02-29\"", "\"15.03.1990\"", "19900315", "true")) {
      timeline.add(
          new UserEvent(
              "e" + value,
              "u-1",
              "attributes_set",
              java.time.Instant.parse("2026-01-10T12:00:00Z").toEpochMilli() + value.length(),
              Json.parseObject(set("birthday", value))));
    }
    List<String> sent = new java.util.ArrayList<>();
    timeline.runUntil(Long.MAX_VALUE, recording(sent));
    assertEquals(List.of(), sent);
    assertEquals(4, invalid.sum());
    assertNull(timeline.store().triggers(), "nothing armed");
  }

  @Test
  void aValueChangedWhileArmedReArmsAndTheSameValueAgainChangesNothing() {
    Scenario s =
        Scenario.withPolicies(WARSAW, BIRTHDAY)
            .event("a", "2026-01-10T12:00:00Z", "attributes_set", set("birthday", "\"1990-03-15\""))
            .event("b", "2026-02-01T12:00:00Z", "attributes_set", set("birthday", "\"1990-04-20\""))
            .event("c", "2026-04-01T12:00:00Z", "attributes_set", set("birthday", "\"1990-04-20\""))
            .event("d", "2026-12-01T00:00:00Z", "app_opened")
            .runToEnd();
    // 20 April, 10:00 CEST = 08:00Z; 15 March never fires (2027's was pending at the end).
    assertEquals(
        List.of("birthday@2026-04-20T08:00:00Z", "birthday@2027-04-20T08:00:00Z"), s.sentRules());
    assertEquals(
        s.sent.get(0).getSendId(),
        Scenario.withPolicies(WARSAW, BIRTHDAY)
            .event("a", "2026-01-10T12:00:00Z", "attributes_set", set("birthday", "\"1990-04-20\""))
            .event("d", "2026-12-01T00:00:00Z", "app_opened")
            .runToEnd()
            .sent
            .get(0)
            .getSendId(),
        "the occurrence, not what armed it, names the send");
  }

  @Test
  void anOccurrenceMovedLaterInAYearThatAlreadyFiredWaitsForNextYear() {
    Scenario s =
        Scenario.withPolicies(WARSAW, BIRTHDAY)
            .event("a", "2026-01-10T12:00:00Z", "attributes_set", set("birthday", "\"1990-03-15\""))
            .event("b", "2026-03-20T12:00:00Z", "attributes_set", set("birthday", "\"1990-05-01\""))
            .event("c", "2027-06-01T00:00:00Z", "app_opened")
            .runToEnd();
    // 2026 fired on 15 March; 1 May 2026 would be a second birthday that year: next is 2027.
    assertEquals(
        List.of(
            "birthday@2026-03-15T09:00:00Z",
            "birthday@2027-05-01T08:00:00Z",
            "birthday@2028-05-01T08:00:00Z"),
        s.sentRules());
  }

  @Test
  void anOccurrenceExactlyAtTheMomentItIsComputedFiresThenAndOneBeforeNever() {
    String soon = rule("soon", "{kind: date, attribute: starts_at, offset: -1h}", "");
    Scenario s =
        Scenario.withPolicies(WARSAW, soon)
            // starts_at - 1h = 10:00Z, exactly the event's instant: fires at 10:00.
            .event(
                "a",
                "2026-05-01T10:00:00Z",
                "attributes_set",
                set("starts_at", "\"2026-05-01T13:00:00+02:00\""))
            // 1 ms later, an occurrence 1 ms in the past: never fires.
            .event(
                "b",
                "2026-06-01T10:00:00.001Z",
                "attributes_set",
                set("starts_at", "\"2026-06-01T11:00:00Z\""))
            .runToEnd();
    assertEquals(List.of("soon@2026-05-01T10:00:00Z"), s.sentRules());
  }

  @Test
  void instantModeNeedsAnInstantAndCalendarModeTakesTheInstantsLocalDate() {
    String instantMode = rule("at-instant", "{kind: date, attribute: renewal, offset: -7d}", "");
    String calendar =
        rule("on-day", "{kind: date, attribute: renewal, offset: -7d, at: \"09:00\"}", "");
    Scenario s =
        Scenario.withPolicies(WARSAW, instantMode, calendar)
            // 23:30Z on 14 January is 00:30 on the 15th in Warsaw: the local date is the 15th.
            .event(
                "a",
                "2026-01-01T00:00:00Z",
                "attributes_set",
                set("renewal", "\"2026-01-14T23:30:00Z\""))
            .event("b", "2026-02-01T00:00:00Z", "app_opened")
            .runToEnd();
    assertEquals(
        List.of("on-day@2026-01-08T08:00:00Z", "at-instant@2026-01-07T23:30:00Z").stream()
            .sorted()
            .toList(),
        s.sentRules().stream().sorted().toList());
    assertEquals(
        "2026-01-08 ",
        s.sent.stream()
            .filter(c -> c.getRuleId().equals("on-day"))
            .findFirst()
            .orElseThrow()
            .getBody());
  }

  @Test
  void aTimeZoneChangeReArmsCalendarMode() {
    Scenario s =
        Scenario.withPolicies(WARSAW, BIRTHDAY)
            .event("a", "2026-01-10T12:00:00Z", "attributes_set", set("birthday", "\"1990-03-15\""))
            .event("b", "2026-02-01T12:00:00Z", "app_opened", "{\"timezone\":\"America/New_York\"}")
            .event("c", "2026-12-01T00:00:00Z", "app_opened")
            .runToEnd();
    // 10:00 in New York on 15 March 2026 is EDT (since 8 March): 14:00Z.
    assertEquals(
        List.of("birthday@2026-03-15T14:00:00Z", "birthday@2027-03-15T14:00:00Z"), s.sentRules());
  }

  @Test
  void aWallTimeInTheSpringGapMovesForwardByTheGap() {
    String early = rule("early", "{kind: date, attribute: day, at: \"02:30\"}", "");
    Scenario s =
        Scenario.withPolicies(WARSAW, early)
            .event("a", "2026-03-01T00:00:00Z", "attributes_set", set("day", "\"2026-03-29\""))
            .runToEnd();
    // 02:30 does not exist on 29 March in Warsaw: 03:30 CEST = 01:30Z.
    assertEquals(List.of("early@2026-03-29T01:30:00Z"), s.sentRules());
  }

  @Test
  void exitOnCancelsTheOccurrenceAndAYearlyRuleArmsTheNextYear() {
    String yearly =
        rule(
            "birthday",
            "{kind: date, attribute: birthday, at: \"10:00\", repeat: yearly}",
            "exit_on: [opted_out]\n");
    Scenario s =
        Scenario.withPolicies(WARSAW, yearly)
            .event("a", "2026-01-10T12:00:00Z", "attributes_set", set("birthday", "\"1990-03-15\""))
            .event("b", "2026-03-01T12:00:00Z", "opted_out")
            .event("c", "2027-06-01T00:00:00Z", "app_opened")
            .runToEnd();
    // 2026's was cancelled on 1 March; 2027's fired before the last event, so 2028's is pending.
    assertEquals(
        List.of("birthday@2027-03-15T09:00:00Z", "birthday@2028-03-15T09:00:00Z"), s.sentRules());
  }

  @Test
  void thirtyDaysAfterTheLastPurchaseAtSixInTheEvening() {
    String repurchase =
        rule(
            "repurchase",
            "{kind: date, attribute: last_purchase_at, offset: 30d, at: \"18:00\"}",
            "");
    Scenario s =
        Scenario.withPolicies(WARSAW, repurchase)
            .event("p1", "2026-01-05T10:00:00Z", "purchase_completed", "{\"total\":5}")
            // A second purchase re-arms: 30 days after 20 January, 18:00 CET = 17:00Z.
            .event("p2", "2026-01-20T10:00:00Z", "purchase_completed", "{\"total\":5}")
            .event("z", "2026-03-01T00:00:00Z", "app_opened")
            .runToEnd();
    assertEquals(List.of("repurchase@2026-02-19T17:00:00Z"), s.sentRules());
  }

  static FireListener recording(List<String> sent) {
    return new FireListener() {
      @Override
      public void sent(io.beckon.schema.SendCommand c) {
        sent.add(c.getRuleId() + "@" + c.getFireTime());
      }

      @Override
      public void suppressed(io.beckon.schema.Suppression s) {}

      @Override
      public void converted(io.beckon.schema.Conversion c) {}

      @Override
      public void journey(io.beckon.schema.JourneyEvent e) {}
    };
  }
}
