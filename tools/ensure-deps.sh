#!/usr/bin/env bash
# Makes sure the tools a make target needs are installed.
#   tools/ensure-deps.sh GROUP...     groups: build run iso gdb test fuzz bochs
# Missing tools are installed with apt-get when running as root on a Debian
# system; otherwise the script names the packages to install and fails.
set -u

cross=${CROSS-i686-linux-gnu-}
need=()   # "check package" pairs; a check is a command name or a path

for group in "$@"; do
	case $group in
	build)
		if [ "$cross" = "i686-linux-gnu-" ]; then
			need+=("i686-linux-gnu-gcc gcc-i686-linux-gnu" "i686-linux-gnu-ld binutils-i686-linux-gnu")
		fi
		need+=("nasm nasm" "python3 python3" "make make") ;;
	run)
		need+=("qemu-system-i386 qemu-system-x86") ;;
	iso)
		need+=("grub-mkrescue grub-common" "/usr/lib/grub/i386-pc grub-pc-bin" "xorriso xorriso" "mformat mtools") ;;
	gdb)
		need+=("gdb gdb") ;;
	bochs)
		# The second x86 model; its BIOS and VGA BIOS are separate packages.
		need+=("bochs bochs" "/usr/share/bochs/BIOS-bochs-latest bochsbios"
		       "/usr/share/vgabios/vgabios.bin vgabios") ;;
	test)
		need+=("qemu-system-i386 qemu-system-x86" "gdb gdb" "gcc gcc" "clang clang" "valgrind valgrind") ;;
	fuzz)
		# clang and libFuzzer's runtime (libclang-rt-dev follows Debian's
		# default clang; it is not pulled in without recommends).
		need+=("clang clang")
		rt=/nonexistent/libclang_rt.fuzzer
		if command -v clang >/dev/null 2>&1; then
			rt=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)
			[ "${rt#/}" != "$rt" ] || rt=/nonexistent/libclang_rt.fuzzer
		fi
		need+=("$rt libclang-rt-dev") ;;
	*)
		echo "ensure-deps: unknown group '$group'" >&2; exit 2 ;;
	esac
done

missing=()
for pair in "${need[@]}"; do
	check=${pair%% *}
	pkg=${pair##* }
	if [ "${check#/}" != "$check" ]; then
		[ -e "$check" ] && continue
	else
		command -v "$check" >/dev/null 2>&1 && continue
	fi
	case " ${missing[*]-} " in *" $pkg "*) ;; *) missing+=("$pkg") ;; esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing missing packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# One installer at a time: make -j may run several of these at once.
	exec 9>/tmp/strata-ensure-deps.lock
	command -v flock >/dev/null 2>&1 && flock 9
	apt-get update -qq >/dev/null &&
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
		{ echo "ensure-deps: apt-get could not install: ${missing[*]}" >&2; exit 1; }
	exit 0
fi

echo "Missing tools. Install these Debian packages first:" >&2
echo "    sudo apt-get install ${missing[*]}" >&2
exit 1
