package io.beckon.engine.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.beckon.engine.journey.Journey;
import io.beckon.engine.journey.Step;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Journey files (contract section 7) in the rule grammar: the section's example binds into its
 * steps; targets go forward only; every mistake is found in one pass; and nothing that runs rules
 * takes a journey yet.
 */
class JourneyGrammarTest {
  static final Path EXAMPLE =
      Path.of("src/test/resources/grammar/rules/valid/journey-onboarding.yaml");

  static String example() throws Exception {
    return Files.readString(EXAMPLE);
  }

  private static List<String> problems(String yaml) {
    return RuleParser.read("j.yaml", yaml).problems().stream().map(Problem::toString).toList();
  }

  @Test
  void theContractsExampleBindsIntoItsSteps() throws Exception {
    RuleParser.Result result = RuleParser.read("j.yaml", example());
    assertEquals(List.of(), result.problems());
    assertNull(result.rule());
    Journey journey = result.journey();
    assertEquals("onboarding-first-days", journey.id());
    assertEquals(20, journey.priority());
    assertEquals("event", journey.trigger().kind());
    assertEquals(Journey.WhileActive.IGNORE, journey.whileActive());
    assertEquals(new Rule.Reentry(true, 0), journey.reentry());
    assertEquals(2, journey.exitOn().size());
    assertEquals(
        List.of(
            "welcome",
            "next-day",
            "morning",
            "lessons",
            "engaged",
            "route",
            "cart-nudge",
            "stories",
            "done"),
        journey.steps().stream().map(Step::id).toList());
    Step.Send welcome = assertInstanceOf(Step.Send.class, journey.steps().get(0));
    assertEquals(List.of("email"), welcome.message().fallback());
    assertEquals(24 * 3600_000L, welcome.expireAfter(), "default expire_after");
    assertNull(welcome.then());
    Step.WaitUntil morning = assertInstanceOf(Step.WaitUntil.class, journey.steps().get(2));
    assertEquals(LocalTime.of(9, 30), morning.localTime());
    assertEquals(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), morning.days());
    Step.WaitFor engaged = assertInstanceOf(Step.WaitFor.class, journey.steps().get(4));
    assertEquals("done", engaged.arms().get(0).goTo());
    assertEquals(2 * 86_400_000L, engaged.timeoutAfter());
    assertEquals("route", engaged.timeoutGoto());
    Step.Branch route = assertInstanceOf(Step.Branch.class, journey.steps().get(5));
    assertEquals("stories", route.otherwise());
    assertEquals(List.of("cart-nudge", "stories"), journey.successors(5));
    assertEquals(List.of("done"), journey.successors(6), "then: done");
    assertEquals(List.of("done"), journey.successors(7), "the next step");
    assertEquals(List.of("end"), journey.successors(8), "after the last step");
    Step.Send stories = assertInstanceOf(Step.Send.class, journey.steps().get(7));
    assertEquals(12 * 3600_000L, stories.expireAfter());
    assertNotNull(stories.audience(), "audience inside send");
  }

  @Test
  void targetsNameLaterStepsOrEnd() {
    String yaml =
        """
        kind: journey
        id: trial
        version: 1
        trigger: {kind: event, event: signed_up}
        steps:
          - id: hello
            send: {channel: push, body: "Hi {{ event.plan }}"}
          - id: pause
            wait: 1d
            then: hello
          - id: again
            wait: 0s
            then: again
          - id: last
            branch:
              - {when: {attribute: cart_units, op: gt, value: 0}, goto: nowhere}
        """;
    assertEquals(
        List.of(
            "j.yaml:10:11: error: steps[1].then: 'hello' is earlier: a target must be a later step"
                + " or 'end'",
            "j.yaml:13:11: error: steps[2].then: 'again' is this step itself: a target must be a"
                + " later step or 'end'",
            "j.yaml:16:65: error: steps[3].branch[0].goto: 'nowhere' is no step of this journey"
                + " (nor 'end')"),
        problems(yaml));
  }

  @Test
  void stepsNoPathReachesAreWarnings() {
    String yaml =
        """
        kind: journey
        id: renewal
        version: 1
        trigger: {kind: date, attribute: renewal_date, offset: -7d, at: "09:00"}
        steps:
          - id: remind
            send: {channel: push, body: "Renewal on {{ occurrence_date }}"}
            then: end
          - id: orphan
            wait: 1h
        """;
    RuleParser.Result result = RuleParser.read("j.yaml", yaml);
    assertEquals(
        List.of("j.yaml:9:9: warning: no path from the first step reaches step 'orphan'"),
        result.problems().stream().map(Problem::toString).toList());
    assertEquals(2, result.journey().steps().size(), "a warning does not reject the journey");
  }

  @Test
  void everyMistakeOfAJourneyIsFoundAtOnce() {
    String yaml =
        """
        kind: journey
        id: trial
        version: 1
        trigger: {kind: date, attribute: renewal_date, offset: -7d, at: "09:00"}
        message: {channel: push, body: x}
        steps:
          - id: Remind
            send: {channel: push, body: "{{ event.plan }}"}
          - id: route
            branch:
              - {when: {attribute: occurrence_date, op: exists}, goto: end}
            then: end
          - id: booked
            wait_for:
              events: [{event: booked, goto: end}]
              timeout: {after: 91d, goto: end}
          - id: later
            wait_until: {local_time: "9:30", days: [mon, tuesday]}
        """;
    assertEquals(
        List.of(
            "j.yaml:5:1: error: 'message' is not allowed on journeys in v2",
            "j.yaml:7:9: error: steps[0].id: 'Remind' must be 1 to 64 characters: a-z, 0-9 and"
                + " '-'",
            "j.yaml:8:33: error: 'event.plan' is only available to rules with trigger kind event",
            "j.yaml:11:28: error: audience sees the profile only: 'occurrence_date' is a trigger"
                + " variable (use message variants instead)",
            "j.yaml:12:5: error: steps[1]: 'then' goes beside send, wait and wait_until only (give"
                + " a goto inside the step)",
            "j.yaml:16:24: error: steps[2].wait_for.timeout.after: a wait_for timeout is from 1s to"
                + " 90d",
            "j.yaml:17:9: warning: no path from the first step reaches step 'later'",
            "j.yaml:18:30: error: steps[3].wait_until.local_time: '9:30' is not a time of day"
                + " (HH:MM, 00:00 to 23:59)",
            "j.yaml:18:50: error: steps[3].wait_until.days[1]: 'tuesday' is not one of [mon, tue,"
                + " wed, thu, fri, sat, sun]"),
        problems(yaml));
  }

  @Test
  void aStepHasExactlyOneKind() {
    String head =
        "kind: journey\nid: trial\nversion: 1\ntrigger: {kind: event, event: a}\nsteps:\n";
    assertEquals(
        List.of("j.yaml:8:5: error: steps[0]: a step has exactly one kind: 'send' and 'wait'"),
        problems(head + "  - id: one\n    send: {channel: push, body: x}\n    wait: 1h\n"));
    assertEquals(
        List.of("j.yaml:7:5: error: steps[0]: unknown key 'sms'"),
        problems(head + "  - id: one\n    sms: {body: x}\n"));
    assertEquals(
        List.of(
            "j.yaml:6:5: error: steps[0]: a step needs one of [send, wait, wait_until, wait_for,"
                + " branch]"),
        problems(head + "  - id: one\n"));
    assertEquals(
        List.of("j.yaml:7:11: error: steps[0].wait: a wait is at most 365d"),
        problems(head + "  - id: one\n    wait: 366d\n"));
    assertEquals(
        List.of(
            "j.yaml:6:10: error: steps[0].id: 'end' is the end of every journey, not a step id"),
        problems(head + "  - {id: end, wait: 1h}\n"));
  }

  @Test
  void theLimitsOfRulesHoldForEveryStep() {
    String many =
        String.join(", ", java.util.Collections.nCopies(200, "{attribute: a, op: exists}"));
    String yaml =
        "kind: journey\nid: trial\nversion: 1\ntrigger: {kind: event, event: a}\nsteps:\n"
            + "  - id: route\n    branch:\n      - {when: {any: ["
            + many
            + "]}, goto: end}\n";
    assertEquals(
        List.of("j.yaml:1:1: error: the rule has 201 conditions; at most 200"), problems(yaml));
  }

  @Test
  void aRulesFolderRunsItsJourneysUnderTheirEntryTrigger() throws Exception {
    RuleSet set = RuleSet.parse(Map.of("onboarding.yaml", example()));
    assertEquals(List.of(), set.rules(), "a journey is not a rule");
    assertEquals("onboarding-first-days", set.journeys().get(0).id());
    Rule entry = set.trigger("onboarding-first-days");
    assertEquals("app_opened", ((Trigger.OnEvent) entry.trigger()).event());
    assertEquals(20, entry.priority());
    assertEquals(List.of(entry), set.triggers());
  }

  @Test
  void validateReportsTheJourneysOwnProblemsFirstAndItsLifetime() throws Exception {
    String broken = example().replace("wait: 1d", "wait: 1 day");
    RulesValidator.Report report =
        RulesValidator.check(Map.of("a.yaml", broken, "b.yaml", example()));
    assertEquals(
        List.of(
            "a.yaml:17:11: error: steps[1].wait: '1 day' is not a duration: use a whole number and"
                + " s, m, h or d (e.g. 90m, 7d)",
            "b.yaml:2:5: error: rule id 'onboarding-first-days' is already used by a.yaml"),
        report.problems().stream().map(Problem::toString).toList());
    assertEquals(
        List.of("journey onboarding-first-days: at most 6d 1h from entry to end (9 steps)"),
        report.journeys().stream().map(Object::toString).toList(),
        "only the journey whose own grammar holds has a lifetime");
  }

  @Test
  void stepsMakeAJourney() {
    assertEquals(
        List.of("j.yaml:5:1: error: 'steps' is for journeys (kind: journey)"),
        problems(
            "id: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\n"
                + "message: {channel: push, body: x}\nsteps: [{id: a, wait: 1h}]\n"));
  }

  @Test
  void aRuleMayNameItsKind() {
    assertEquals(
        List.of(),
        problems(
            "kind: rule\nid: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\n"
                + "message: {channel: push, body: x}\n"));
    assertEquals(
        List.of("j.yaml:1:7: error: kind: 'flow' is not one of [rule, journey]"),
        problems(
            "kind: flow\nid: cart\nversion: 1\ntrigger: {kind: cart_abandoned, delay: 2h}\n"
                + "message: {channel: push, body: x}\n"));
  }
}
