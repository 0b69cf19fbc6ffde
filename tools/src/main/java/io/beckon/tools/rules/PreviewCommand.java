package io.beckon.tools.rules;

import io.beckon.engine.event.ReceivedClock;
import io.beckon.engine.rules.Problem;
import io.beckon.engine.rules.RuleSet;
import io.beckon.engine.rules.RulesValidator;
import io.beckon.engine.time.Durations;
import io.beckon.jobs.functions.EngineSettings;
import io.beckon.jobs.replay.Replay;
import io.beckon.jobs.replay.ReplayInput;
import io.beckon.tools.Options;
import io.beckon.tools.ReplayCommand;
import io.beckon.tools.report.HtmlComparison;
import io.beckon.tools.report.HtmlReport;
import io.beckon.tools.report.ReportComparison;
import io.beckon.tools.report.ReportModel;
import io.beckon.tools.report.TerminalComparison;
import io.beckon.tools.report.TerminalReport;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code beckon rules preview DIR --events FILE [--against OLD_DIR]}: what a rules change would do
 * on recorded events before it is published. It replays the events through the same pipeline as
 * {@code beckon replay} (so exactly what the job would do) with the rules and policies of DIR, and
 * with {@code --against} also with those of OLD_DIR (the rules in force), then reports both side by
 * side with the difference per rule.
 */
public final class PreviewCommand {
  private PreviewCommand() {}

  public static int run(String[] args) throws Exception {
    return run(args, System.out, System.err);
  }

  public static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    Options options;
    Path dir;
    try {
      if (args.length == 0 || args[0].startsWith("--")) {
        throw new IllegalArgumentException("give the rules folder first");
      }
      dir = Path.of(args[0]);
      options =
          Options.parse(
              Arrays.copyOfRange(args, 1, args.length),
              Set.of("events", "against", "html", "disorder-bound", "max-clock-skew"),
              Set.of());
      options.require("events");
    } catch (IllegalArgumentException e) {
      err.println("rules preview: " + e.getMessage());
      err.println(
          "usage: rules preview DIR --events FILE.jsonl [--against OLD_DIR] [--html FILE]"
              + " [--disorder-bound 10s] [--max-clock-skew 1h]");
      return 2;
    }
    Path old = options.get("against", null) == null ? null : Path.of(options.get("against", null));
    for (Path folder : old == null ? List.of(dir) : List.of(dir, old)) {
      List<Problem> errors =
          RulesValidator.validateFolder(folder).stream().filter(Problem::isError).toList();
      if (!errors.isEmpty()) {
        errors.forEach(
            p ->
                err.println(
                    folder.resolve(p.file()).normalize()
                        + p.toString().substring(p.file().length())));
        return 1;
      }
    }
    Duration bound = Duration.ofMillis(Durations.parseMillis(options.get("disorder-bound", "10s")));
    ReceivedClock clock =
        new ReceivedClock(Durations.parseMillis(options.get("max-clock-skew", "1h")));
    ReplayInput.Parsed input;
    try (BufferedReader reader =
        Files.newBufferedReader(Path.of(options.require("events")), StandardCharsets.UTF_8)) {
      input = ReplayInput.read(reader, clock);
    }
    if (!input.rejected().isEmpty()) {
      err.printf("rules preview: %d bad lines skipped%n", input.rejected().size());
    }
    ReportModel proposed = replay(dir, input, bound);
    if (old == null) {
      out.print(TerminalReport.render(proposed));
      writeHtml(options, HtmlReport.render(proposed), err);
      return 0;
    }
    ReportModel inForce = replay(old, input, bound);
    ReportComparison comparison = ReportComparison.of(inForce, proposed);
    out.print(TerminalComparison.render(comparison));
    writeHtml(
        options,
        HtmlComparison.render(
            comparison, old.getFileName().toString(), dir.getFileName().toString()),
        err);
    return 0;
  }

  /** One replay of the events with a rules folder, as its report. */
  private static ReportModel replay(Path rulesDir, ReplayInput.Parsed input, Duration bound)
      throws Exception {
    Map<String, String> files = RuleSet.readRepository(rulesDir);
    Replay.Result result =
        Replay.run(
            ReplayCommand.localEnvironment(2),
            input.events(),
            files,
            bound,
            EngineSettings.DEFAULTS);
    return ReportModel.from(
        result.sendCommands(), result.suppressions(), result.conversions(), RuleSet.parse(files));
  }

  private static void writeHtml(Options options, String html, PrintStream err) throws Exception {
    String file = options.get("html", null);
    if (file != null) {
      Files.writeString(Path.of(file), html, StandardCharsets.UTF_8);
      err.println("rules preview: wrote " + file);
    }
  }
}
