// Package prologue finds the stack-bound checks that the Go compiler puts
// in function prologues, by reading a binary's machine code, and measures
// what they cost in code size.
//
// On amd64 a checked function begins with one of
//
//	CMPQ SP, 16(R14); JBE cold                          (small frames)
//	LEAQ -n(SP), R12; CMPQ R12, 16(R14); JBE cold       (frames over 128 bytes)
//	MOVQ SP, R12; SUBQ $n, R12; JB cold; CMPQ R12, 16(R14); JBE cold  (large frames)
//
// and ends with the cold block the branch goes to: spills of the register
// arguments, CALL runtime.morestack(_noctxt), reloads, JMP back to the
// entry. On arm64 it begins MOVD 16(g), R16 (or R17 after a SUB), CMP and
// BLS to the cold block. The hot bytes are the check and its branch, run
// on every call; the cold bytes are the block at the end, run only when
// the stack must grow.
package prologue

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Func is one function's prologue check, as found.
type Func struct {
	Name      string
	Addr      uint64
	Size      uint64
	Checked   bool   // the prologue has a recognized stack check
	HotBytes  uint64 // the check and its branch(es)
	ColdBytes uint64 // the block from the branch target to the function's end
	// Unrecognized: the function calls morestack but its prologue
	// matches no known pattern.
	Unrecognized bool
}

// Summary describes one binary.
type Summary struct {
	Arch      string
	TextBytes uint64 // size of the .text section
	Funcs     int    // function symbols in .text
	Checked   int    // functions with a recognized prologue check
	HotBytes  uint64
	ColdBytes uint64
	// Unrecognized counts functions that call morestack without a
	// prologue this package recognizes: a nonzero count means the
	// detector has missed a pattern and Checked is an undercount.
	Unrecognized int
}

// Analyze reads the ELF binary at path.
func Analyze(path string) (Summary, []Func, error) {
	f, err := elf.Open(path)
	if err != nil {
		return Summary{}, nil, err
	}
	defer f.Close()
	return analyze(f)
}

func analyze(f *elf.File) (Summary, []Func, error) {
	var s Summary
	text := f.Section(".text")
	if text == nil {
		return s, nil, fmt.Errorf("no .text section")
	}
	s.TextBytes = text.Size
	code, err := text.Data()
	if err != nil {
		return s, nil, err
	}
	syms, err := f.Symbols()
	if err != nil {
		return s, nil, fmt.Errorf("reading symbols (a stripped binary?): %v", err)
	}
	var d decoder
	switch f.Machine {
	case elf.EM_X86_64:
		s.Arch, d = "amd64", amd64{}
	case elf.EM_AARCH64:
		s.Arch, d = "arm64", arm64{}
	default:
		return s, nil, fmt.Errorf("unsupported machine %v", f.Machine)
	}
	morestack := map[uint64]bool{}
	goBinary := false
	var fns []elf.Symbol
	for _, sym := range syms {
		if sym.Name == "runtime.main" {
			goBinary = true
		}
		if elf.ST_TYPE(sym.Info) != elf.STT_FUNC && elf.ST_TYPE(sym.Info) != elf.STT_NOTYPE {
			continue
		}
		if sym.Value < text.Addr || sym.Value >= text.Addr+text.Size {
			continue
		}
		if strings.HasPrefix(sym.Name, "runtime.morestack") {
			morestack[sym.Value] = true
		}
		if elf.ST_TYPE(sym.Info) == elf.STT_FUNC && sym.Size > 0 {
			fns = append(fns, sym)
		}
	}
	if !goBinary {
		return s, nil, fmt.Errorf("no runtime.main symbol: not a Go binary")
	}
	// A Go binary without runtime.morestack is one in which no prologue
	// calls it (GOEXPERIMENT=faultstacknocheck), so the linker dropped it
	// as unreachable: every function then counts as unchecked.
	sort.Slice(fns, func(i, j int) bool { return fns[i].Value < fns[j].Value })
	fns = slices.CompactFunc(fns, func(a, b elf.Symbol) bool { return a.Value == b.Value })
	var out []Func
	for _, sym := range fns {
		off := sym.Value - text.Addr
		end := min(off+sym.Size, uint64(len(code)))
		body := code[off:end]
		fn := Func{Name: sym.Name, Addr: sym.Value, Size: sym.Size}
		if hot, target, ok := d.check(body, sym.Value); ok && target > sym.Value && target < sym.Value+uint64(len(body)) {
			cold := body[target-sym.Value:]
			if d.callsAny(cold, target, morestack) {
				fn.Checked, fn.HotBytes, fn.ColdBytes = true, hot, sym.Value+uint64(len(body))-target
			}
		}
		if fn.Checked {
			s.Checked++
			s.HotBytes += fn.HotBytes
			s.ColdBytes += fn.ColdBytes
		} else if !strings.HasPrefix(sym.Name, "runtime.morestack") && d.callsAny(body, sym.Value, morestack) {
			s.Unrecognized++
			fn.Unrecognized = true
		}
		out = append(out, fn)
	}
	s.Funcs = len(out)
	return s, out, nil
}

type decoder interface {
	// check recognizes a prologue check at the start of body (at address
	// pc) and returns its length and the cold block's address.
	check(body []byte, pc uint64) (hot, target uint64, ok bool)
	// callsAny reports whether code (at pc) holds a direct call to one
	// of the targets.
	callsAny(code []byte, pc uint64, targets map[uint64]bool) bool
}

type amd64 struct{}

func (amd64) check(b []byte, pc uint64) (uint64, uint64, bool) {
	i := 0
	// guard matches the compare's memory operand: 16(R14) is
	// g.stackguard0; 24(R14), g.stackguard1, is the check of
	// go:systemstack functions (whose cold block calls morestackc).
	guard := func() bool {
		if i < len(b) && (b[i] == 0x10 || b[i] == 0x18) {
			i++
			return true
		}
		return false
	}
	has := func(p ...byte) bool {
		if len(b)-i < len(p) {
			return false
		}
		for k, c := range p {
			if b[i+k] != c {
				return false
			}
		}
		i += len(p)
		return true
	}
	switch {
	case has(0x49, 0x3b, 0x66) && guard(): // CMPQ SP, 16(R14)
	case has(0x4c, 0x8d, 0x64, 0x24): // LEAQ disp8(SP), R12
		i++
		if !has(0x4d, 0x3b, 0x66) || !guard() {
			return 0, 0, false
		}
	case has(0x4c, 0x8d, 0xa4, 0x24): // LEAQ disp32(SP), R12
		i += 4
		if !has(0x4d, 0x3b, 0x66) || !guard() {
			return 0, 0, false
		}
	case has(0x49, 0x89, 0xe4): // MOVQ SP, R12
		switch {
		case has(0x49, 0x81, 0xec): // SUBQ $imm32, R12
			i += 4
		case has(0x49, 0x83, 0xec): // SUBQ $imm8, R12
			i++
		default:
			return 0, 0, false
		}
		// JB cold (rel8 or rel32)
		switch {
		case has(0x72):
			i++
		case has(0x0f, 0x82):
			i += 4
		default:
			return 0, 0, false
		}
		if !has(0x4d, 0x3b, 0x66) || !guard() {
			return 0, 0, false
		}
	default:
		return 0, 0, false
	}
	// JBE cold
	switch {
	case has(0x76):
		if i >= len(b) {
			return 0, 0, false
		}
		rel := int8(b[i])
		i++
		return uint64(i), uint64(int64(pc) + int64(i) + int64(rel)), true
	case has(0x0f, 0x86):
		if i+4 > len(b) {
			return 0, 0, false
		}
		rel := int32(binary.LittleEndian.Uint32(b[i:]))
		i += 4
		return uint64(i), uint64(int64(pc) + int64(i) + int64(rel)), true
	}
	return 0, 0, false
}

func (amd64) callsAny(code []byte, pc uint64, targets map[uint64]bool) bool {
	for i := 0; i+5 <= len(code); i++ {
		if code[i] != 0xe8 {
			continue
		}
		rel := int32(binary.LittleEndian.Uint32(code[i+1:]))
		if targets[uint64(int64(pc)+int64(i)+5+int64(rel))] {
			return true
		}
	}
	return false
}

type arm64 struct{}

func (arm64) check(b []byte, pc uint64) (uint64, uint64, bool) {
	// The check loads g.stackguard0 (MOVD 16(g), R16: ldr x16, [x28, #16])
	// within the first instructions, compares and branches with BLS.
	if len(b) < 8 {
		return 0, 0, false
	}
	loaded := false
	for i := 0; i+4 <= len(b) && i < 8*4; i += 4 {
		w := binary.LittleEndian.Uint32(b[i:])
		if w&^0x1f == 0xf9400b80 { // ldr xN, [x28, #16]
			loaded = true
			continue
		}
		if loaded && w&0xff00001f == 0x54000009 { // b.ls
			imm := int64(int32(w<<8) >> 13) // imm19, sign-extended
			return uint64(i + 4), uint64(int64(pc) + int64(i) + imm*4), true
		}
	}
	return 0, 0, false
}

func (arm64) callsAny(code []byte, pc uint64, targets map[uint64]bool) bool {
	for i := 0; i+4 <= len(code); i += 4 {
		w := binary.LittleEndian.Uint32(code[i:])
		if w&0xfc000000 == 0x94000000 { // bl
			imm := int64(int32(w<<6) >> 6)
			if targets[uint64(int64(pc)+int64(i)+imm*4)] {
				return true
			}
		}
	}
	return false
}
