package io.beckon.tools.rules;

import io.beckon.engine.rules.Problem;
import io.beckon.engine.rules.RuleParser;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.rules.RulesValidator;
import io.beckon.jobs.JobConfig;
import io.beckon.tools.Options;
import io.beckon.tools.rules.PublishPlan.Change;
import io.beckon.tools.rules.PublishPlan.LocalRule;
import io.beckon.tools.rules.PublishPlan.Published;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code beckon rules publish DIR}: validates a rules folder, compares it with what the compacted
 * {@code rules} and {@code policies} topics hold, prints the plan and writes it in one Kafka
 * transaction. Nothing is written when any file is invalid or any change is refused (a version that
 * goes down, or a change without a new version). Exit status 0 when published (or nothing to do, or
 * a dry run), 1 when refused or failed, 2 on bad usage.
 */
public final class PublishCommand {
  static final String USAGE =
      "usage: rules publish DIR --bootstrap-servers HOST:PORT --schema-registry URL"
          + " [--config FILE] [--dry-run] [--verbose] [--topic rules] [--policies-topic policies]";

  private PublishCommand() {}

  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  /** As {@link #run(String[])}, printing the plan to {@code out} and failures to {@code err}. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].startsWith("--")) {
      err.println(USAGE);
      return 2;
    }
    Path dir = Path.of(args[0]);
    Options options;
    try {
      options =
          Options.parse(
              Arrays.copyOfRange(args, 1, args.length),
              Set.of("bootstrap-servers", "schema-registry", "topic", "policies-topic", "config"),
              Set.of("dry-run", "verbose"));
      options.require("bootstrap-servers");
      options.require("schema-registry");
    } catch (IllegalArgumentException e) {
      err.println("rules publish: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }
    if (!Files.isDirectory(dir)) {
      err.println("rules publish: " + dir + " is not a folder");
      return 2;
    }
    // Client settings (TLS, SASL, registry auth) from the same properties file the job takes:
    // its kafka.* and schema.registry.* keys mean the same here; the job's other keys are ignored.
    JobConfig clients;
    try {
      clients =
          options.get("config", null) == null
              ? JobConfig.of(Map.of())
              : JobConfig.fromArgs("--config", options.get("config", null));
    } catch (IllegalArgumentException e) {
      err.println("rules publish: --config: " + e.getMessage());
      return 2;
    }
    String rulesTopic = options.get("topic", "rules");
    String policiesTopic = options.get("policies-topic", "policies");
    boolean dryRun = options.flag("dry-run");

    // 1. The folder must be valid as a whole; warnings do not block.
    List<Problem> problems = RulesValidator.validateFolder(dir);
    problems.forEach(
        p ->
            out.println(
                dir.resolve(p.file()).normalize() + p.toString().substring(p.file().length())));
    long errors = problems.stream().filter(Problem::isError).count();
    if (errors > 0) {
      out.printf("%d error(s): nothing published%n", errors);
      return 1;
    }
    Map<String, String> ruleFiles = RuleSet.readFolder(dir);
    String policies;
    try {
      Path policiesFile = dir.resolve(RulesValidator.POLICIES_FILE);
      policies =
          Files.isRegularFile(policiesFile)
              ? Files.readString(policiesFile, StandardCharsets.UTF_8)
              : null;
    } catch (IOException e) {
      err.println("rules publish: cannot read " + RulesValidator.POLICIES_FILE + ": " + e);
      return 1;
    }
    if (ruleFiles.isEmpty()) {
      // Most likely a wrong path; publishing it would delete every published rule.
      err.println(
          "rules publish: " + dir + " has no rule files: refusing to delete every published rule");
      return 1;
    }
    List<LocalRule> localRules = new ArrayList<>();
    ruleFiles.forEach(
        (file, text) -> {
          RuleParser.Result rule = RuleParser.readValid(text);
          localRules.add(new LocalRule(file, rule.id(), rule.version(), rule.enabled(), text));
        });

    try (RulesTopics topics =
        new RulesTopics(
            options.require("bootstrap-servers"),
            options.require("schema-registry"),
            rulesTopic,
            policiesTopic,
            clients.kafkaProperties(),
            clients.registryProperties())) {
      // 2. The published state (the producer first: see RulesTopics).
      topics.checkTopics().forEach(w -> err.println("rules publish: warning: " + w));
      if (!dryRun) {
        topics.openProducer();
      } else if (!topics.awaitNoTransactionInFlight(Duration.ofSeconds(10))) {
        err.println(
            "rules publish: warning: a publish is in flight on "
                + rulesTopic
                + " or "
                + policiesTopic
                + "; this plan does not include it");
      }
      Published published = topics.read();

      // 3. The plan.
      PublishPlan plan = PublishPlan.of(localRules, policies, published);
      if (!plan.refusals().isEmpty()) {
        plan.refusals()
            .forEach(r -> out.println(dir.resolve(r.file()).normalize() + ": " + r.message()));
        out.printf("%d change(s) refused: nothing published%n", plan.refusals().size());
        return 1;
      }
      for (Change c : plan.changes()) {
        out.println("  " + c.line());
      }
      if (options.flag("verbose")) {
        plan.unchanged().forEach(u -> out.println("  = unchanged " + u));
      }
      out.println(plan.summary());

      // 4. and 5.
      if (dryRun) {
        out.println("dry run: nothing written");
        return 0;
      }
      if (plan.changes().isEmpty()) {
        out.println(
            "nothing to publish: " + rulesTopic + " and " + policiesTopic + " are up to date");
        return 0;
      }
      topics.write(plan, Instant.now());
      int ruleChanges = plan.ruleChanges().size();
      int policyChanges = plan.policyChanges().size();
      if (policyChanges == 0) {
        out.printf("published %d change(s) to %s%n", ruleChanges, rulesTopic);
      } else if (ruleChanges == 0) {
        out.printf("published %d change(s) to %s%n", policyChanges, policiesTopic);
      } else {
        out.printf(
            "published %d change(s) to %s and %d to %s%n",
            ruleChanges, rulesTopic, policyChanges, policiesTopic);
      }
      return 0;
    } catch (RulesTopics.PublishException e) {
      err.println("rules publish: " + e.getMessage());
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("rules publish: interrupted");
      return 1;
    } catch (Exception e) {
      err.println("rules publish: failed: " + e);
      return 1;
    }
  }
}
