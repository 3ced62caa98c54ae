#include "cli/front.hpp"

int main(int argc, char** argv) { return pgdeploy::run_front(argc, argv); }
