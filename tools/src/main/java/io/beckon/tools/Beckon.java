package io.beckon.tools;

import io.beckon.tools.demo.Demo;
import io.beckon.tools.rules.PreviewCommand;
import io.beckon.tools.rules.PublishCommand;
import java.util.Arrays;

/** The {@code ./beckon} command: dispatches to a subcommand. */
public final class Beckon {
  private static final String USAGE =
      """
      usage: beckon <command> [options]

        demo     [--duration 90s] [--users 3000] [--serve] [--rules DIR] [--show all|sample|none]
                 [--report demo-report.html] [--export FILE.jsonl]
                 in-process Kafka + schema registry + local Flink with generated traffic, ending
                 with the report of its own run (a table, and the page --report);
                 --serve keeps it running without the generator for your own producers;
                 --export only writes the generated traffic as JSON lines
        replay   --rules DIR --events FILE.jsonl [--out FILE.jsonl] [--suppressions FILE.jsonl]
                 [--conversions FILE.jsonl] [--journeys FILE.jsonl]
                 [--disorder-bound 10s] [--parallelism 2] [--profile-retention off|90d]
                 runs the job over recorded events and writes the sorted send commands
        rules validate DIR
                 checks rule files and policies.yaml with the job's rule grammar; every problem as
                 file:line:column; exit status 1 on any error
        rules preview DIR --events FILE.jsonl [--against OLD_DIR] [--html FILE]
                 what the rules of DIR (and its policies.yaml) would do on recorded events,
                 replayed through the job's pipeline: the report's figures per rule and variant;
                 with --against, side by side with OLD_DIR (the rules in force) and the change
        rules publish DIR --bootstrap-servers HOST:PORT --schema-registry URL [--dry-run]
                 [--verbose] [--topic rules] [--policies-topic policies]
                 validates DIR, compares it with the compacted rules and policies topics, prints
                 the plan (added, updated, disabled, deleted) and writes it in one transaction;
                 refuses (exit status 1, nothing written) a change whose version did not go up
        bench    [--users 30000] [--quick] [--json FILE] [--rules DIR]
                 on an in-process Kafka broker: preloads simulated traffic, then events/s of a
                 passthrough job, a Flink CEP cart rule, Beckon (example rules) and Beckon (cart
                 rule); latency, exactly-once visibility, checkpoints, state per user
        report   --commands FILE --suppressions FILE [--conversions FILE] [--journeys FILE]
                 [--rules DIR] [--html FILE]
        report   --bootstrap-servers HOST:PORT --schema-registry URL [--topic-prefix P]
                 [--rules DIR] [--html FILE]
                 per rule and variant: fires, sends, suppressions by reason, conversions,
                 conversion rate and lift over holdout (95% CI), from replay's files or from the
                 send-commands, send-suppressions and conversions topics (read_committed);
                 --rules assigns suppressions to variants; --html writes a self-contained page;
                 --journeys adds each journey's entries, exits by reason and sends per step
        job      --transactional.id.prefix NAME [--key value ...]
                 runs the engagement job in this JVM against your Kafka and registry
                 (for a cluster, submit jobs/target/beckon-jobs-*-job.jar instead); refuses
                 to start when its consumer group has committed offsets, as this JVM has no
                 saved state (--allow.start.without.state true to start empty on purpose)
      """;

  private Beckon() {}

  private static int rules(String[] args) throws Exception {
    if (args.length >= 1 && args[0].equals("validate")) {
      return io.beckon.engine.rules.ValidateCommand.run(Arrays.copyOfRange(args, 1, args.length));
    }
    if (args.length >= 1 && args[0].equals("publish")) {
      return PublishCommand.run(Arrays.copyOfRange(args, 1, args.length));
    }
    if (args.length >= 1 && args[0].equals("preview")) {
      return PreviewCommand.run(Arrays.copyOfRange(args, 1, args.length));
    }
    System.err.print(USAGE);
    return 2;
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
      System.out.print(USAGE);
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    int status =
        switch (args[0]) {
          case "demo" -> Demo.run(rest);
          case "replay" -> ReplayCommand.run(rest);
          case "bench" -> io.beckon.tools.bench.BenchCommand.run(rest);
          case "report" -> io.beckon.tools.report.ReportCommand.run(rest);
          case "rules" -> rules(rest);
          case "job" -> {
            io.beckon.jobs.EngagementJob.main(rest);
            yield 0;
          }
          default -> {
            System.err.print("unknown command '" + args[0] + "'\n" + USAGE);
            yield 2;
          }
        };
    System.exit(status);
  }
}
