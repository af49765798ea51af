//! Which protocol rules each test of a suite checks, and which program it exercises.
//!
//! The table lives here, not in the test files: the suites stay plain tests, and the grading
//! policy is the course's. A test of the kit's own command line only (its exact error
//! sentences, its `--help`, the harness proving its override variables work) says nothing
//! about a student's program written in another language, and is not counted when one is
//! graded through `--server` or `--client`. The unit tests in a stage's `src/` test the
//! stage's own code: they count when a student's workspace is graded, never for a command line.
//!
//! A test missing from the table is reported as such, and never counted; the course's tests
//! fail if the kit's suite has one.

/// The program a test exercises.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Exercises {
    /// The server (raw TCP members talk to it, or the kit's own client does).
    Server,
    /// Both: what the client shows depends on what the server sent.
    Both,
    /// Only the kit's own programs or the harness, for the reason given.
    KitOnly(&'static str),
}

/// One test of the table.
pub struct Entry {
    /// Its test target: the file's name in `tests/` (`room` for tests/room.rs).
    pub target: &'static str,
    pub test: &'static str,
    /// The protocol rules it checks, as the chapter's protocol section numbers and names them.
    pub rules: &'static [&'static str],
    pub exercises: Exercises,
}

const HANDSHAKE: &str = "1 handshake";
const JOINING: &str = "2 joining";
const TALKING: &str = "3 talking";
const STAMPS: &str = "4 stamps";
const LEAVING: &str = "5 leaving";
const ERRORS: &str = "6 errors";
const STOPPING: &str = "7 stopping";
const VANISHED: &str = "10 vanished members";
const SLOW: &str = "slow members";
const LOG: &str = "server log";
const CLIENT: &str = "terminal client";
const LIMITS: &str = "hostile clients";
const KIT: &str = "the kit's own programs";

/// The rule a unit test counts under: the module it tests (`nickname::tests::x` is `nickname`).
pub fn unit_rule(test: &str) -> String {
    let module = test.split("::").next().unwrap_or(test);
    format!("unit tests: {module}")
}

/// Whether a test target holds a stage's unit tests (in `src/`), not its black-box suite.
pub fn is_unit_target(target: &str) -> bool {
    target == "lib" || target == "main" || target.starts_with("doc ")
}

/// The table of stage `number` (`03`), if the course has one. Lab 05's suite is lab 03's (its
/// test targets are lab 03's files), and so is its table.
pub fn table(number: &str) -> Option<&'static [Entry]> {
    match number {
        "03" | "05" => Some(ROOM),
        _ => None,
    }
}

use Exercises::{Both, KitOnly, Server};

const ROOM: &[Entry] = &[
    Entry {
        target: "room",
        test: "three_members_join_talk_and_leave_in_every_way",
        rules: &[JOINING, TALKING, STAMPS, LEAVING, LOG],
        exercises: Both,
    },
    Entry {
        target: "room",
        test: "document_001s_close123123_leaves_too",
        rules: &[LEAVING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "every_nickname_refusal_gives_a_reason_and_another_prompt",
        rules: &[HANDSHAKE],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "a_line_over_the_limit_is_refused_and_the_connection_stays_usable",
        rules: &[ERRORS],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "invalid_utf8_is_refused_to_its_sender_only",
        rules: &[ERRORS],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "a_message_written_byte_by_byte_arrives_whole",
        rules: &[TALKING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "two_messages_in_one_write_arrive_as_two",
        rules: &[TALKING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "an_arabic_message_of_several_kib_arrives_intact",
        rules: &[TALKING],
        exercises: Both,
    },
    Entry {
        target: "room",
        test: "a_member_that_never_reads_is_dropped_and_the_others_get_everything",
        rules: &[SLOW, LEAVING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "a_member_that_stops_reading_in_a_quiet_room_is_dropped_too",
        rules: &[SLOW, LEAVING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "a_member_that_pauses_reading_is_waited_for_and_gets_everything_in_order",
        rules: &[SLOW, TALKING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "a_newcomer_hears_nothing_from_before_it_joined_and_everything_after",
        rules: &[JOINING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "a_member_list_names_ten_members_and_counts_the_others",
        rules: &[JOINING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "a_silent_connection_keeps_nobody_out",
        rules: &[HANDSHAKE],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "nobody_can_speak_under_another_name",
        rules: &[TALKING],
        exercises: Server,
    },
    Entry {
        target: "room",
        test: "forty_members_leaving_at_once_are_each_announced_once",
        rules: &[LEAVING],
        exercises: Server,
    },
    Entry {
        target: "programs",
        test: "ctrl_c_stops_the_server_after_telling_every_member",
        rules: &[STOPPING],
        exercises: Both,
    },
    Entry {
        target: "programs",
        test: "shutdown_typed_at_the_server_stops_it",
        rules: &[STOPPING, LOG],
        exercises: Server,
    },
    Entry {
        target: "programs",
        test: "a_port_in_use_is_a_sentence",
        rules: &[KIT],
        exercises: KitOnly("the kit's exact port-in-use sentence"),
    },
    Entry {
        target: "programs",
        test: "the_client_without_a_server_says_so",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's exact sentence"),
    },
    Entry {
        target: "programs",
        test: "the_client_says_so_when_the_server_goes_away",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's exact sentence"),
    },
    Entry {
        target: "programs",
        test: "the_client_asks_for_a_name_until_one_is_accepted",
        rules: &[CLIENT, HANDSHAKE, LEAVING],
        exercises: Both,
    },
    Entry {
        target: "programs",
        test: "a_message_arrives_above_a_half_typed_line_in_a_terminal",
        rules: &[CLIENT],
        exercises: Both,
    },
    Entry {
        target: "programs",
        test: "the_terminal_client_ends_cleanly_when_the_server_stops",
        rules: &[CLIENT, STOPPING],
        exercises: Both,
    },
    Entry {
        target: "programs",
        test: "help_explains_the_lab",
        rules: &[KIT],
        exercises: KitOnly("the kit's own --help"),
    },
    Entry {
        target: "programs",
        test: "the_server_variable_grades_the_command_it_names",
        rules: &[KIT],
        exercises: KitOnly("proves the harness's LABnn_SERVER with the kit's own server"),
    },
    Entry {
        target: "programs",
        test: "the_client_variable_grades_the_command_it_names",
        rules: &[KIT],
        exercises: KitOnly("proves the harness's LABnn_CLIENT with the kit's own client"),
    },
    Entry {
        target: "hostile",
        test: "thousands_of_silent_connections_from_one_address_keep_nobody_out",
        rules: &[LIMITS],
        exercises: Server,
    },
    Entry {
        target: "hostile",
        test: "connections_choosing_a_name_are_limited_in_all",
        rules: &[LIMITS],
        exercises: Server,
    },
    Entry {
        target: "hostile",
        test: "a_connection_without_a_name_in_time_is_closed_with_the_reason",
        rules: &[HANDSHAKE, LIMITS],
        exercises: Server,
    },
    Entry {
        target: "hostile",
        test: "an_unfinished_last_line_is_never_delivered",
        rules: &[TALKING, LEAVING, LIMITS],
        exercises: Server,
    },
    Entry {
        target: "hostile",
        test: "sigterm_and_sighup_stop_the_room_as_ctrl_c_does",
        rules: &[STOPPING],
        exercises: Server,
    },
    Entry {
        target: "hostile",
        test: "a_flood_is_counted_in_the_log_not_copied",
        rules: &[LOG, LIMITS],
        exercises: Server,
    },
    Entry {
        target: "hostile",
        test: "a_log_nobody_reads_stops_nobody",
        rules: &[LIMITS],
        exercises: KitOnly("runs the kit's own binary whatever LABnn_SERVER says"),
    },
    // The names helper's suite (branch names): in the table before it lands, so that merging
    // it needs no change here.
    Entry {
        target: "names_and_text",
        test: "names_that_look_alike_or_show_as_nothing_are_refused",
        rules: &[HANDSHAKE, LIMITS],
        exercises: Server,
    },
    Entry {
        target: "names_and_text",
        test: "persian_and_arabic_names_stay_allowed",
        rules: &[HANDSHAKE],
        exercises: Server,
    },
    Entry {
        target: "names_and_text",
        test: "forged_and_invisible_lines_are_refused_to_their_sender_only",
        rules: &[TALKING, ERRORS, LIMITS],
        exercises: Server,
    },
    Entry {
        target: "names_and_text",
        test: "a_padded_message_cannot_put_a_fake_event_on_a_row_of_its_own",
        rules: &[CLIENT, LIMITS],
        exercises: Both,
    },
    Entry {
        target: "names_and_text",
        test: "a_member_cannot_forge_the_servers_goodbye",
        rules: &[TALKING, LIMITS],
        exercises: Server,
    },
    // On main since this branch began (tests/dialects.rs and one hostile test): in the table
    // before they reach this branch, so that merging needs no change here.
    Entry {
        target: "hostile",
        test: "a_quiet_members_connection_is_kept_under_watch",
        rules: &[VANISHED, LIMITS],
        exercises: Server,
    },
    Entry {
        target: "dialects",
        test: "dialect_000_in_a_terminal_in_document_000s_room",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "dialect_001_in_a_terminal_in_document_001s_room",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "a_prompt_that_is_not_the_documents_exact_word_is_named",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "a_room_that_goes_away_is_a_sentence",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "a_room_that_says_nothing_is_named_when_patience_ends",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "dialect_000_answers_the_exact_nick_and_stamps_its_own_lines",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "dialect_001_sends_its_name_unasked_and_its_messages_unframed",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "dialect_002_reads_the_greeting_and_sends_its_text_alone",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "dialect_003_answers_the_exact_nic",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
    Entry {
        target: "dialects",
        test: "no_dialect_joins_the_kits_room_and_each_says_why",
        rules: &[KIT],
        exercises: KitOnly("the kit's client's --dialect, always the kit's own binary"),
    },
];

/// The entry of `test` in `target`, if the table has it.
pub fn find(table: &'static [Entry], target: &str, test: &str) -> Option<&'static Entry> {
    table
        .iter()
        .find(|entry| entry.target == target && entry.test == test)
}

/// Whether a program graded through a command line (`server`, `client`, or both) is exercised
/// by a test that exercises `exercises`.
pub fn exercised(exercises: Exercises, server: bool, client: bool) -> bool {
    match exercises {
        Server => server,
        Both => server || client,
        KitOnly(_) => false,
    }
}
