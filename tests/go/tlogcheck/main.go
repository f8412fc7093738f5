// Command tlogcheck answers queries about Merkle trees and signed notes
// with Go's own implementation (golang.org/x/mod/sumdb/tlog and
// golang.org/x/mod/sumdb/note), so that signcore's results can be compared
// with an independent one. One query per line on stdin, one answer per
// line on stdout ("err <reason>" on failure). Hashes are hex; texts and
// notes are standard base64. See core/tests/go_interop.rs for the driver.
//
//	leaves N                      build the tree of event hashes 0..N-1
//	root N                        tree hash of the first N leaves
//	incl N I                      inclusion proof of leaf I in tree N
//	cons N M                      consistency proof of tree M in tree N
//	checkincl N I ROOT EVENT P    verify an inclusion proof (P: hex,hex or -)
//	checkcons N M ROOTN ROOTM P   verify a consistency proof
//	vkey NAME SEED                verifier key of an Ed25519 seed
//	sign TEXT NAME SEED [...]     sign TEXT with one or more keys
//	open NOTE VKEY [...]          note.Open with these verifier keys
//	parsetree TEXT                tlog.ParseTree
package main

import (
	"bufio"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// eventHash is the hash of event i in the interop chain, as the driver computes it.
func eventHash(i int64) []byte {
	h := sha256.Sum256([]byte("signcore interop " + strconv.FormatInt(i, 10)))
	return h[:]
}

type server struct {
	stored []tlog.Hash
	n      int64
}

func (s *server) reader() tlog.HashReader {
	return tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			if x < 0 || x >= int64(len(s.stored)) {
				return nil, fmt.Errorf("stored hash %d not available", x)
			}
			out[i] = s.stored[x]
		}
		return out, nil
	})
}

func (s *server) grow(n int64) error {
	for s.n < n {
		hs, err := tlog.StoredHashes(s.n, eventHash(s.n), s.reader())
		if err != nil {
			return err
		}
		s.stored = append(s.stored, hs...)
		s.n++
	}
	return nil
}

func hexHash(h tlog.Hash) string { return hex.EncodeToString(h[:]) }

func hashList(hs []tlog.Hash) string {
	if len(hs) == 0 {
		return "-"
	}
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = hexHash(h)
	}
	return strings.Join(parts, ",")
}

func parseHash(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("bad hash %q", s)
	}
	copy(h[:], b)
	return h, nil
}

func parseList(s string) ([]tlog.Hash, error) {
	if s == "-" {
		return nil, nil
	}
	var out []tlog.Hash
	for _, p := range strings.Split(s, ",") {
		h, err := parseHash(p)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

func num(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

// signerKey builds Go's private signer key text from a name and a seed.
func signerKey(name, seedHex string) (string, string, error) {
	seed, err := hex.DecodeString(seedHex)
	if err != nil || len(seed) != ed25519.SeedSize {
		return "", "", fmt.Errorf("bad seed")
	}
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return "", "", err
	}
	hash := vkey[len(name)+1 : len(name)+9]
	skey := "PRIVATE+KEY+" + name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{1}, seed...))
	return skey, vkey, nil
}

func (s *server) answer(f []string) (string, error) {
	switch f[0] {
	case "leaves":
		return "ok", s.grow(num(f[1]))
	case "root":
		h, err := tlog.TreeHash(num(f[1]), s.reader())
		return hexHash(h), err
	case "incl":
		p, err := tlog.ProveRecord(num(f[1]), num(f[2]), s.reader())
		return hashList(p), err
	case "cons":
		p, err := tlog.ProveTree(num(f[1]), num(f[2]), s.reader())
		return hashList(p), err
	case "checkincl":
		root, err := parseHash(f[3])
		if err != nil {
			return "", err
		}
		event, err := hex.DecodeString(f[4])
		if err != nil {
			return "", err
		}
		p, err := parseList(f[5])
		if err != nil {
			return "", err
		}
		return "ok", tlog.CheckRecord(p, num(f[1]), root, num(f[2]), tlog.RecordHash(event))
	case "checkcons":
		rn, err1 := parseHash(f[3])
		rm, err2 := parseHash(f[4])
		p, err3 := parseList(f[5])
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				return "", err
			}
		}
		return "ok", tlog.CheckTree(p, num(f[1]), rn, num(f[2]), rm)
	case "vkey":
		_, vkey, err := signerKey(f[1], f[2])
		return vkey, err
	case "sign":
		text, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil {
			return "", err
		}
		var signers []note.Signer
		for i := 2; i+1 < len(f); i += 2 {
			skey, _, err := signerKey(f[i], f[i+1])
			if err != nil {
				return "", err
			}
			sg, err := note.NewSigner(skey)
			if err != nil {
				return "", err
			}
			signers = append(signers, sg)
		}
		msg, err := note.Sign(&note.Note{Text: string(text)}, signers...)
		return base64.StdEncoding.EncodeToString(msg), err
	case "open":
		msg, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil {
			return "", err
		}
		var vs []note.Verifier
		for _, k := range f[2:] {
			v, err := note.NewVerifier(k)
			if err != nil {
				return "", err
			}
			vs = append(vs, v)
		}
		n, err := note.Open(msg, note.VerifierList(vs...))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("ok %s %d %d", base64.StdEncoding.EncodeToString([]byte(n.Text)), len(n.Sigs), len(n.UnverifiedSigs)), nil
	case "parsetree":
		text, err := base64.StdEncoding.DecodeString(f[1])
		if err != nil {
			return "", err
		}
		t, err := tlog.ParseTree(text)
		return fmt.Sprintf("ok %d %s", t.N, hexHash(t.Hash)), err
	}
	return "", fmt.Errorf("unknown query %q", f[0])
}

func main() {
	s := &server{}
	in := bufio.NewReaderSize(os.Stdin, 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for {
		line, err := in.ReadString('\n')
		if f := strings.Fields(line); len(f) > 0 {
			a, qerr := s.answer(f)
			if qerr != nil {
				a = "err " + strings.ReplaceAll(qerr.Error(), "\n", " ")
			}
			fmt.Fprintln(out, a)
		}
		if err != nil {
			return
		}
		// Answer at once when the driver waits for it (one query at a time).
		if in.Buffered() == 0 {
			out.Flush()
		}
	}
}
