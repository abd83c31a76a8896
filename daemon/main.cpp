// sluiced: parse configuration, then run the app (lib/app) — nothing else.

#include "app/cli.hpp"

extern char** environ;

int main(int argc, char** argv) { return sluice::app::run_cli(argc, argv, environ); }
