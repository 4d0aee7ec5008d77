package dev.berth.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HtpasswdFileTest {
    private static final BcryptHash NEW = BcryptHash.of("new".getBytes(StandardCharsets.UTF_8), 4);

    @Test
    void entriesAreReadAsApacheReadsThem() {
        HtpasswdFile file = HtpasswdFile.parse("""
                # team accounts

                alice:$2y$05$aaa
                  bob:$2y$05$bbb:comment field\r
                \tcarol:
                dave
                   # indented comment
                :$2y$05$nouser
                """);
        assertEquals(List.of(
                new HtpasswdFile.Entry(3, "alice", "$2y$05$aaa"),
                new HtpasswdFile.Entry(4, "bob", "$2y$05$bbb"),
                new HtpasswdFile.Entry(5, "carol", ""),
                new HtpasswdFile.Entry(6, "dave", ""),
                new HtpasswdFile.Entry(8, "", "$2y$05$nouser")), file.entries());
    }

    @Test
    void settingAHashReplacesTheUsersFirstEntryAndKeepsEveryOtherLine() {
        HtpasswdFile file = HtpasswdFile.parse("""
                # team accounts
                alice:$apr1$old
                bob:$2y$05$bbb

                # alice again, which Apache never reads
                alice:$2y$05$older
                """);
        assertEquals("""
                # team accounts
                alice:%s
                bob:$2y$05$bbb

                # alice again, which Apache never reads
                """.formatted(NEW.encoded()), file.withHash("alice", NEW).text());
    }

    @Test
    void aNewUserIsAppended() {
        assertEquals("bob:$2y$05$bbb\ncarol:" + NEW.encoded() + "\n",
                HtpasswdFile.parse("bob:$2y$05$bbb").withHash("carol", NEW).text());
        assertEquals("carol:" + NEW.encoded() + "\n", HtpasswdFile.parse("").withHash("carol", NEW).text());
        // A commented-out entry is not the user's.
        assertEquals("#carol:x\ncarol:" + NEW.encoded() + "\n",
                HtpasswdFile.parse("#carol:x\n").withHash("carol", NEW).text());
    }

    @Test
    void userNames() {
        for (String good : List.of("alice", "ci-bot", "robot+berth", "first.last@example.com", "Zoë",
                "x".repeat(128))) {
            assertEquals(Optional.empty(), HtpasswdFile.userNameProblem(good), good);
        }
        for (String bad : List.of("", "a:b", "a b", "a\tb", "tab\t", "#alice", "line\nbreak", "nbsp\u00a0",
                "x".repeat(129))) {
            assertTrue(HtpasswdFile.userNameProblem(bad).isPresent(), bad);
        }
    }

    @Test
    void anEntryPrintsWithoutItsHash() {
        String printed = new HtpasswdFile.Entry(3, "alice", "$2y$05$secret").toString();
        assertTrue(printed.contains("alice") && printed.contains("3"), printed);
        assertFalse(printed.contains("secret"), printed);
    }
}
