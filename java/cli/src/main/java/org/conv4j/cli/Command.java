package org.conv4j.cli;

import java.io.PrintStream;
import java.util.Set;

/** One subcommand of the conv4j command line. */
interface Command {
  /** The word that selects it: info, run, bench. */
  String name();

  /** One line for the overall help. */
  String summary();

  /** The full text printed by {@code conv4j <name> --help}. */
  String help();

  /** Flags that take a value, without the leading dashes. */
  Set<String> valuedFlags();

  /** Flags that take no value, without the leading dashes (--help and --verbose are handled for every command). */
  Set<String> switches();

  /** Runs with parsed flags; results go to out, progress and notes to err. Failing is throwing. */
  void run(Args args, PrintStream out, PrintStream err) throws Exception;
}
